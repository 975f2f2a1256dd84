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
2. `dashboard_p99_ms`: the dashboard of a supervisor of the biggest unit (about 480,000
   dossiers), through gunicorn (2 workers) on loopback, with several filters and periods; each
   worker computes its clock table once (warm-up), then every request filters and counts it.
   `dashboard_drilldown_p99_ms`: the lists of dossiers behind figures.
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

    # Warm-up: each worker computes its clock table of every dossier once.
    warm = base.hammer("dashboard warm-up", port, choose(dashboard, WARMUP), session, THREADS)
    base.check(warm, 1)
    for name, pool in (("dashboard", dashboard), ("dashboard_drilldown", drill)):
        run = base.hammer(name, port, choose(pool, max(200, REQUESTS)), session, THREADS)
        base.check(run, 200)
        emit(f"{name}_p99_ms", run.ms(99), "ms")
        emit(f"{name}_p50_ms", run.ms(50), "ms")


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
    annual(world)
    from django.db import connections

    connections.close_all()
    with base.gunicorn(db) as port:
        measure(port, world, supervisor)
