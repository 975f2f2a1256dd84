"""Results figures on the database of the dossiers bench: 1,000,000 dossiers, 5,000,000 events.

The database is the one `bench/dossiers.py` builds and keeps (`guichet_bench`, or
BENCH_DATABASE_URL): this group calls its own functions to create it when it is missing
(about 10 minutes, once) and reuses it otherwise.

1. `annual_report_1m_s`: the whole annual report of the most recent complete fiscal year, in
   process, from the events (every dossier and event read again, all clocks computed, the rows
   aggregated, the CSV written); the median of 3 runs. `annual_report_cli_1m_s` is the same
   through `guichet report` (interpreter and Django start-up included). The figures are checked
   against the clock caches of the dossiers (`DossierClock`, which the dossiers bench checks
   against `derive_clocks`).
2. The dashboard's shared clock table (guichet/reports/live.py), in process:
   `dashboard_table_build_s` builds it from the whole event log (`guichet dashboard-refresh
   --full`), `dashboard_day_recount_s` is a new day's recount of every running clock, and
   `dashboard_catchup_ms` applies the last 1,000 events (the table set back as if they were
   new: their dossiers, and those of the OVERLAP, recomputed and replaced).
3. `dashboard_cold_ms`: the first dashboard page served by each worker of a freshly started
   gunicorn (2 workers), the slower of the two, the table being current;
   `dashboard_worker_rss_mb`: the resident memory of the larger worker after it (before it,
   signed in: `dashboard_worker_rss_idle_mb`), and after the whole run
   (`dashboard_worker_rss_end_mb`).
4. `dashboard_p99_ms`: the dashboard of a supervisor of the biggest unit (about 480,000
   dossiers), through the same gunicorn, with several filters and periods: a few grouped
   queries over the shared table each. `dashboard_drilldown_p99_ms`: the lists of dossiers
   behind figures.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench import dossiers as base
from bench.__main__ import emit

if TYPE_CHECKING:
    from guichet.accounts.models import User

SUPERVISOR_EMAIL = "bench-superviseur@example.org"
RUNS = 3
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "400"))  # at least 200
WARMUP = 40
THREADS = 4
SEED = 2027


def say(message: str) -> None:
    print(f"bench reports: {message}", flush=True)


def ensure_supervisor(world: base.World) -> User:
    """A supervisor of the biggest unit, with the bench's password and authenticator."""
    from django.contrib.auth.hashers import make_password

    from guichet.accounts.models import Membership, StaffRole, Unit, User

    user, _ = User.objects.update_or_create(
        email=SUPERVISOR_EMAIL,
        defaults={
            "full_name": "Superviseur Banc-Essai",
            "is_active": True,
            "password": make_password(base.PASSWORD),
        },
    )
    unit = Unit.objects.get(code=base.BIG_UNIT)
    Membership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": StaffRole.SUPERVISOR}
    )
    return user


def annual(world: base.World) -> None:
    from guichet.reports.annual import annual_report
    from guichet.reports.fiscal import FiscalYear
    from guichet.reports.formats import render

    fy = FiscalYear.of(world.today).minus(1)
    seconds = []
    body = b""
    for i in range(RUNS):
        started = time.perf_counter()
        report = annual_report(fy, today=world.today)
        body = render(report, "csv")
        seconds.append(time.perf_counter() - started)
        say(f"annual report {fy} run {i + 1}: {seconds[-1]:.2f} s ({len(body):,} bytes of CSV)")
    check_against_caches(report)
    volume = sum(r.result.volume for r in report.commitments)
    say(f"{fy}: {len(report.commitments)} commitments, {volume:,} clocks stopped in the year")
    emit("annual_report_1m_s", statistics.median(seconds), "s")

    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        out = Path(folder) / "rapport.csv"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guichet.settings"}
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 — our own interpreter and command
            [sys.executable, "-m", "guichet", "report", "--fiscal-year", fy.label,
             "--output", str(out)],
            cwd=base.ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        took = time.perf_counter() - started
        if done.returncode:
            raise base.BenchError(f"guichet report failed:\n{done.stdout}{done.stderr}")
        for line in done.stderr.strip().splitlines():
            say(f"  {line}")
        if out.read_bytes() != body:
            raise base.BenchError(
                "guichet report wrote other bytes than the same report in process"
            )
    emit("annual_report_cli_1m_s", took, "s")


def check_against_caches(report: object) -> None:
    """Each commitment's volume and met count equal the clocks cached on the dossiers."""
    from django.db.models import Count, Q

    from guichet.dossiers.models import DossierClock
    from guichet.reports.annual import AnnualReport

    assert isinstance(report, AnnualReport)
    fy = report.fiscal_year
    cached = {
        row["commitment"]: (row["met"], row["stopped"])
        for row in DossierClock.objects.filter(
            stopped_on__gte=fy.first_day, stopped_on__lte=fy.last_day, outcome__in=["met", "missed"]
        )
        .values("commitment")
        .annotate(met=Count("pk", filter=Q(outcome="met")), stopped=Count("pk"))
    }
    for row in report.commitments:
        want = cached.get(row.commitment_id, (0, 0))
        if (row.result.met, row.result.volume) != want:
            raise base.BenchError(
                f"{row.code}: report {row.result.met}/{row.result.volume}, "
                f"dossier clocks {want[0]}/{want[1]}"
            )
    say(f"report figures equal the dossiers' clock caches for {len(cached)} commitments")


def shared_table() -> None:
    from django.db import connection
    from django.utils import timezone

    from guichet.reports import live
    from guichet.reports.models import LiveClockState

    today = timezone.localdate()
    started = time.perf_counter()
    done = live.catch_up(today, full=True)
    took = time.perf_counter() - started
    say(f"shared table built: {done.clocks:,} clocks of {done.dossiers:,} dossiers")
    emit("dashboard_table_build_s", took, "s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('reports_liveclock')")
        size = cursor.fetchone()[0]
    say(f"reports_liveclock: {size / 2**20:,.0f} MB with its indexes")

    LiveClockState.objects.filter(pk=live.STATE).update(day=today - timedelta(days=1))
    started = time.perf_counter()
    done = live.catch_up(today)
    took = time.perf_counter() - started
    say(f"day's recount: {done.dossiers:,} dossiers with a running clock recomputed")
    emit("dashboard_day_recount_s", took, "s")

    last = LiveClockState.objects.get(pk=live.STATE).last_event or 0
    LiveClockState.objects.filter(pk=live.STATE).update(last_event=last - 1_000)
    started = time.perf_counter()
    done = live.catch_up(today)
    took = time.perf_counter() - started
    say(f"catch-up of 1,000 events: {done.dossiers:,} dossiers recomputed")
    emit("dashboard_catchup_ms", took * 1000, "ms")
    # What autovacuum does soon after a rebuild: the visibility map that lets the dashboard's
    # queries read the covering indexes only.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) reports_liveclock")


def worker_rss_mb(port: int) -> float:
    """The resident memory of the larger gunicorn worker serving `port` (Linux /proc)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            cmdline = (status.parent / "cmdline").read_bytes()
            text = status.read_text()
        except OSError:
            continue
        if f"127.0.0.1:{port}".encode() not in cmdline or b"gunicorn" not in cmdline:
            continue
        parent = int(text.split("PPid:")[1].split()[0])
        if parent == os.getpid():
            continue  # the master
        sizes.append(int(text.split("VmRSS:")[1].split()[0]) / 1024)
    return max(sizes, default=0.0)


def cold(port: int, session: dict[str, str]) -> None:
    """The first dashboard page of each of the two fresh workers, at once."""
    emit("dashboard_worker_rss_idle_mb", worker_rss_mb(port), "MB")  # signed in, no dashboard
    run = base.hammer("dashboard cold", port, ["/resultats/", "/resultats/"], session, 2)
    base.check(run, 2)
    emit("dashboard_cold_ms", max(run.seconds) * 1000, "ms")
    emit("dashboard_worker_rss_mb", worker_rss_mb(port), "MB")


def dashboard_paths(world: base.World) -> tuple[list[str], list[str]]:
    from urllib.parse import urlencode

    from guichet.accounts.models import UnitService
    from guichet.catalogue.models import Commitment
    from guichet.reports.fiscal import FiscalYear

    codes = list(
        UnitService.objects.filter(unit__code=base.BIG_UNIT)
        .order_by("service_code")
        .values_list("service_code", flat=True)
    )
    today = world.today
    fy = FiscalYear.of(today).minus(1)
    periods = [
        {},
        {"du": fy.first_day.isoformat(), "au": fy.last_day.isoformat()},
        {"du": f"{today.year}-{today.month:02d}-01", "au": today.isoformat()},
    ]
    filters: list[dict[str, str]] = [{}, {"canal": "mail"}, {"canal": "online"}]
    filters += [{"service": code} for code in codes]
    dashboard = [
        "/resultats/" + (f"?{urlencode({**p, **f})}" if {**p, **f} else "")
        for p in periods
        for f in filters
    ]
    commitments = list(
        Commitment.objects.filter(service__code__in=codes, unit="business_days").values_list(
            "pk", flat=True
        )
    )
    drill = [
        f"/resultats/dossiers/?{urlencode({**p, 'quoi': quoi, 'engagement': pk})}"
        for p in periods[:2]
        for pk in commitments
        for quoi in ("non-respectes", "respectes", "en-retard", "a-risque", "suspendus")
    ]
    drill += [
        f"/resultats/dossiers/?{urlencode({'quoi': 'age', 'age': age})}"
        for age in ("0-5", "21-40", "61-120", "121+")
    ]
    drill += [
        f"/resultats/dossiers/?{urlencode({'quoi': 'arretes', 'mois': f'{m:%Y-%m}'})}"
        for m in (fy.first_day, fy.last_day)
    ]
    return dashboard, drill


def measure(port: int, world: base.World, supervisor: User) -> None:
    rng = random.Random(SEED)
    code = base.ensure_second_factor(supervisor)
    session = base.log_in(port, SUPERVISOR_EMAIL, base.PASSWORD, code or (lambda: ""))
    dashboard, drill = dashboard_paths(world)
    say(f"{len(dashboard)} dashboard pages, {len(drill)} drill-down pages")

    def choose(pool: Sequence[str], k: int) -> list[str]:
        return [rng.choice(pool) for _ in range(k)]

    cold(port, session)
    warm = base.hammer("dashboard warm-up", port, choose(dashboard, WARMUP), session, THREADS)
    base.check(warm, 1)
    for name, pool in (("dashboard", dashboard), ("dashboard_drilldown", drill)):
        run = base.hammer(name, port, choose(pool, max(200, REQUESTS)), session, THREADS)
        base.check(run, 200)
        emit(f"{name}_p99_ms", run.ms(99), "ms")
        emit(f"{name}_p50_ms", run.ms(50), "ms")
    emit("dashboard_worker_rss_end_mb", worker_rss_mb(port), "MB")


def run() -> None:
    db = base.Database.from_env()
    rebuild = os.environ.get("BENCH_REBUILD", "") not in ("", "0", "false")
    must_build = base.prepare_database(db, wanted=base.N_DOSSIERS, rebuild=rebuild)
    base.setup_django(db)
    world = base.ensure_world()
    if must_build:
        base.build(db, world)
    else:
        say(f"reusing the dossiers of {db.name}")
    supervisor = ensure_supervisor(world)
    if os.environ.get("BENCH_REPORTS_ANNUAL", "1") not in ("0", "false"):
        annual(world)
    shared_table()
    from django.db import connections

    connections.close_all()
    with base.gunicorn(db) as port:
        measure(port, world, supervisor)
