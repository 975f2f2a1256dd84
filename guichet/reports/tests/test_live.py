"""The dashboard from the shared table (guichet/reports/live.py) against the same figures
computed directly from `clocktable.clock_table`, as the dashboard did in each process before:
several filters, new events applied incrementally, a suspension, a new day, a calendar change.
"""

import random
import threading
from datetime import date, timedelta

import numpy as np
import pytest
import time_machine
from django.db import connection, connections, transaction

from guichet.accounts.models import Unit, UnitService
from guichet.append_only import purge_writable
from guichet.calendars.models import CalendarYear
from guichet.calendars.services import business_calendar, calendar_year_confirm, closure_day_record
from guichet.catalogue.models import Service
from guichet.clock.batch import OVERDUE
from guichet.dossiers.models import Dossier, DossierEvent, EventKind
from guichet.reports import clocktable as ct
from guichet.reports import live
from guichet.reports.annual import data_stamp, months_of
from guichet.reports.dashboard import (
    AGE_BUCKETS,
    OPEN_KINDS,
    STOPPED_KINDS,
    AgeBucket,
    CommitmentFigures,
    Dashboard,
    Drill,
    Filters,
    Month,
    OpenCounts,
    _month_result,
    _open_kind,
    age_bucket_of,
    commitments_in_scope,
    dashboard,
    drill,
    measured_elsewhere,
    month_index,
    month_start,
    refresh,
)
from guichet.reports.figures import EMPTY, groups, shares, summarize
from guichet.reports.models import LiveClock, LiveClockState
from guichet.reports.tests.builders import insert_dossier
from guichet.reports.tests.test_clocktable import random_history
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db

D = date.fromisoformat
CODES = ["caq-etudiant", "csq-travailleur-permanent", "francais-temps-complet"]


# --- The reference: the dashboard over an in-memory clock table, as it was computed before ---


def reference_table(today: date) -> ct.ClockTable:
    last = data_stamp().last_event or 0
    table = ct.clock_table(business_calendar(), ct.Scope(events_until=last), today)
    return table.take(np.argsort(table.dossier, kind="stable"))


def scope_mask(table: ct.ClockTable, f: Filters) -> ct.Bools:
    mask: ct.Bools = np.isin(table.unit, f.units) & (table.commitment != ct.PROCESSING)
    if f.services is not None:
        mask &= np.isin(table.service, f.services)
    if f.channel is not None:
        mask &= table.channel == f.channel
    return mask


def stopped_mask(table: ct.ClockTable, f: Filters) -> ct.Bools:
    mask: ct.Bools = (
        (table.outcome == ct.STOPPED)
        & (table.stop >= ct.day_number(f.start))
        & (table.stop <= ct.day_number(f.end))
    )
    return mask


def open_mask(table: ct.ClockTable) -> ct.Bools:
    mask: ct.Bools = (table.outcome == ct.RUNNING) & table.open
    return mask


def dossier_ages(table: ct.ClockTable) -> tuple[ct.Ints, ct.Ints, ct.Bools]:
    dossiers, elapsed, late = table.dossier, table.elapsed, table.status == OVERDUE
    if not dossiers.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
    order = np.argsort(dossiers, kind="stable")
    dossiers, elapsed, late = dossiers[order], elapsed[order], late[order]
    first = np.ones(dossiers.size, dtype=bool)
    first[1:] = dossiers[1:] != dossiers[:-1]
    starts = np.flatnonzero(first)
    return (
        dossiers[starts],
        np.maximum.reduceat(elapsed, starts),
        np.logical_or.reduceat(late, starts),
    )


def reference_dashboard(f: Filters, table: ct.ClockTable) -> Dashboard:
    scope = scope_mask(table, f)
    stopped = table.take(np.flatnonzero(scope & stopped_mask(table, f)))
    first_month, last_month = month_index(f.start), month_index(f.end)
    span = last_month - first_month + 1
    commitment, elapsed, met, stop_months = (
        stopped.commitment,
        stopped.elapsed,
        stopped.met,
        stopped.stop_month,
    )
    elsewhere = measured_elsewhere(f)
    if len(elsewhere):
        commitment = np.concatenate([commitment, elsewhere.commitment])
        elapsed = np.concatenate([elapsed, elsewhere.elapsed])
        met = np.concatenate([met, elsewhere.met])
        stop_months = np.concatenate([stop_months, months_of(elsewhere.stop_day)])
    results = summarize(commitment, elapsed, met)
    monthly = shares(commitment * span + (stop_months - first_month), met)
    running = table.take(np.flatnonzero(scope & open_mask(table)))
    open_counts = {}
    if len(running):
        unique, group = groups(running.commitment)
        kinds = _open_kind(running.status, running.at_risk)
        counts = np.bincount(group * 4 + kinds, minlength=unique.size * 4).reshape(-1, 4)
        open_counts = {
            pk: OpenCounts(*row) for pk, row in zip(unique.tolist(), counts.tolist(), strict=True)
        }
    seen = set(results) | set(open_counts) | elsewhere.measured
    rows = [
        CommitmentFigures(
            c,
            results.get(c.pk, EMPTY),
            open_counts.get(c.pk, OpenCounts()),
            [
                Month(
                    first_month + i,
                    month_start(first_month + i),
                    _month_result(monthly.get(c.pk * span + i)),
                )
                for i in range(span)
            ],
            dossiers=c.pk not in elsewhere.measured,
        )
        for c in commitments_in_scope(f, seen)
    ]
    _dossiers, ages, overdue = dossier_ages(running)
    buckets = age_bucket_of(ages)
    totals = np.bincount(buckets, minlength=len(AGE_BUCKETS))
    late = np.bincount(buckets, weights=overdue.astype(np.int64), minlength=len(AGE_BUCKETS))
    backlog = [
        AgeBucket(key, label, int(totals[i]), int(late[i]))
        for i, (key, label, _lo, _hi) in enumerate(AGE_BUCKETS)
    ]
    return Dashboard(
        filters=f,
        rows=rows,
        backlog=backlog,
        stamp=data_stamp(),
        months=[month_start(first_month + i) for i in range(span)],
    )


def reference_drill(f: Filters, d: Drill, table: ct.ClockTable) -> ct.ClockTable:
    scope = scope_mask(table, f)
    if d.commitment is not None:
        scope &= table.commitment == d.commitment
    if d.what in STOPPED_KINDS:
        rows = table.take(np.flatnonzero(scope & stopped_mask(table, f)))
        if d.month is not None:
            rows = rows.take(rows.stop_month == d.month)
        if d.what == "respectes":
            rows = rows.take(rows.met)
        elif d.what == "non-respectes":
            rows = rows.take(~rows.met)
        return rows.take(np.lexsort((rows.dossier, -rows.stop)))
    running = table.take(np.flatnonzero(scope & open_mask(table)))
    if d.age is not None:
        keys = [b[0] for b in AGE_BUCKETS]
        wanted = keys.index(d.age) if d.age in keys else -1
        dossiers, ages, _overdue = dossier_ages(running)
        running = running.take(np.isin(running.dossier, dossiers[age_bucket_of(ages) == wanted]))
    if d.what in OPEN_KINDS:
        running = running.take(
            _open_kind(running.status, running.at_risk) == OPEN_KINDS.index(d.what)
        )
    elif d.what == "age":
        running = running.take(np.lexsort((-running.elapsed, running.dossier)))
        first = np.ones(len(running), dtype=bool)
        first[1:] = running.dossier[1:] != running.dossier[:-1]
        running = running.take(first)
    return running.take(np.lexsort((running.dossier, -running.elapsed)))


# --- The comparison ------------------------------------------------------------------------------


def as_rows(table: ct.ClockTable) -> list[tuple[int, ...]]:
    columns = [getattr(table, name).astype(np.int64).tolist() for name in live.COLUMNS]
    return list(zip(*columns, strict=True))


def filters_to_check() -> list[Filters]:
    units = tuple(
        Unit.objects.filter(
            pk__in=UnitService.objects.filter(service_code__in=CODES).values("unit")
        ).values_list("pk", flat=True)
    )
    caq = tuple(Service.objects.filter(code="caq-etudiant").values_list("pk", flat=True))
    year = (D("2025-04-01"), D("2026-03-31"))
    recent = (D("2026-01-01"), D("2026-12-31"))
    mail = ct.CHANNELS.index("mail") + 1
    return [
        Filters(units, None, None, *recent),
        Filters(units, None, None, *year),
        Filters(units[:1], None, None, *recent),
        Filters(units, caq, None, *recent),
        Filters(units, None, mail, *year),
        Filters(units, caq, mail, D("2026-06-01"), D("2026-06-30")),
    ]


def drills(f: Filters, table: ct.ClockTable) -> list[Drill]:
    commitments = sorted(set(table.commitment.tolist()) - {ct.PROCESSING})
    months = sorted(set(table.stop_month[table.outcome == ct.STOPPED].tolist()))
    out = [Drill(what) for what in (*STOPPED_KINDS, "ouverts", *OPEN_KINDS, "age")]
    out += [Drill(what, commitment=c) for c in commitments for what in ("arretes", "ouverts")]
    out += [Drill("non-respectes", month=m) for m in months[-6:]]
    out += [Drill("age", age=b[0]) for b in AGE_BUCKETS]
    out += [Drill("en-retard", age=b[0]) for b in AGE_BUCKETS]
    out += [Drill("ouverts", commitment=commitments[0], age="0-5"), Drill("age", age="inconnu")]
    return out


def check(today: date) -> None:
    stamp = refresh(today)
    assert stamp == data_stamp()
    table = reference_table(today)
    assert LiveClock.objects.count() == len(table)
    for f in filters_to_check():
        assert dashboard(f, stamp) == reference_dashboard(f, table), f
        for d in drills(f, table):
            expected = as_rows(reference_drill(f, d, table))
            everything = drill(f, d, 0, 10**6)
            assert everything.total == len(expected), (f, d)
            assert as_rows(everything.rows) == expected, (f, d)
            assert as_rows(drill(f, d, 2, 3).rows) == expected[2:5], (f, d)


def built_at() -> object:
    return LiveClockState.objects.get().built_at


def test_the_shared_table_gives_the_figures_of_the_clock_table(personas: Personas) -> None:
    rng = random.Random(20261204)  # noqa: S311 (test data)
    with time_machine.travel("2026-11-16 10:00 -05:00", tick=False):
        dossiers: list[Dossier] = []
        for _ in range(150):
            received = D("2025-03-01") + timedelta(days=rng.randint(0, 620))
            history = [e for e in random_history(rng, received) if e[1] <= D("2026-11-16")]
            dossiers.append(
                insert_dossier(
                    rng.choice(CODES),
                    received,
                    history,
                    channel=rng.choice(["online", "mail"]),
                )
            )
        check(D("2026-11-16"))
        first_build = built_at()
        assert first_build is not None

        # New events after the first look: applied to the touched dossiers only.
        running = [d for d in dossiers if d.state == "received"]
        decided, suspended = running[0], running[1]
        for dossier, kind, day in (
            (decided, EventKind.DECIDED, D("2026-11-13")),
            (suspended, EventKind.INCOMPLETENESS_NOTICE, D("2026-11-10")),
        ):
            seq = dossier.events.count() + 1
            DossierEvent.objects.create(
                dossier=dossier, seq=seq, kind=kind, occurred_on=day, actor_label="test"
            )
        Dossier.objects.filter(pk=decided.pk).update(state="decided")
        Dossier.objects.filter(pk=suspended.pk).update(state="incomplete")
        insert_dossier("caq-etudiant", D("2026-11-02"))
        check(D("2026-11-16"))
        assert built_at() == first_build

    # A new day: the running clocks counted again, without a rebuild.
    with time_machine.travel("2026-11-30 10:00 -05:00", tick=False):
        check(D("2026-11-30"))
        assert built_at() == first_build
        assert LiveClockState.objects.get().day == D("2026-11-30")

        # A closure day recorded: every clock counted again with the new calendar.
        if not CalendarYear.objects.filter(year=2026).exists():
            calendar_year_confirm(year=2026, user=personas.supervisor)
        closure_day_record(
            day=D("2026-11-25"), name="Fermeture", user=personas.supervisor, reason="test"
        )
        check(D("2026-11-30"))
        assert built_at() != first_build


def test_nothing_is_written_when_the_table_is_current(personas: Personas) -> None:
    insert_dossier("caq-etudiant", D("2026-11-02"))
    with time_machine.travel("2026-11-16 10:00 -05:00", tick=False):
        refresh(D("2026-11-16"))
        state = LiveClockState.objects.get()
        refresh(D("2026-11-16"))
        assert LiveClockState.objects.get().caught_up_at == state.caught_up_at
        assert live.catch_up(D("2026-11-16")).dossiers == 0


def test_a_dossier_removed_takes_its_clocks_with_it(personas: Personas) -> None:
    gone = insert_dossier("caq-etudiant", D("2026-11-02"))
    kept = insert_dossier("caq-etudiant", D("2026-11-03"))
    refresh(D("2026-11-16"))
    with transaction.atomic(), purge_writable():
        DossierEvent.objects.filter(dossier=gone).delete()
        gone.delete()
    assert set(LiveClock.objects.values_list("dossier_id", flat=True)) == {kept.pk}


def test_the_refresh_command_builds_then_catches_up(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    insert_dossier("caq-etudiant", D("2026-11-02"), [(EventKind.DECIDED, D("2026-11-10"))])
    with time_machine.travel("2026-11-16 10:00 -05:00", tick=False):
        first = run_command(capsys, "dashboard-refresh")
        assert first.code == 0
        assert "reconstruite : 1 dossiers recalculés, 1 délais écrits" in first.out
        insert_dossier("caq-etudiant", D("2026-11-03"))
        again = run_command(capsys, "dashboard-refresh")
        # The first dossier again too: its events are within the OVERLAP looked at again.
        assert "mise à jour : 2 dossiers recalculés, 2 délais écrits" in again.out
        full = run_command(capsys, "dashboard-refresh", "--full")
        assert "reconstruite : 2 dossiers recalculés, 2 délais écrits" in full.out
    assert LiveClock.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks: its writers take turns"
)
@pytest.mark.django_db(transaction=True)
def test_a_catch_up_under_way_elsewhere_is_not_waited_for(personas: Personas) -> None:
    """Another process holds the state row (its catch-up is under way): a look at the
    dashboard reads the table as it is, with its stamp, instead of waiting."""
    insert_dossier("caq-etudiant", D("2026-11-02"))
    before = refresh(D("2026-11-16"))
    insert_dossier("caq-etudiant", D("2026-11-03"))
    held = threading.Event()
    release = threading.Event()

    def other_process() -> None:
        try:
            with transaction.atomic():
                LiveClockState.objects.select_for_update().get()
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_process)
    other.start()
    try:
        assert held.wait(10)
        assert live.catch_up(D("2026-11-16"), wait=False).skipped
        assert refresh(D("2026-11-16")) == before  # not the new dossier's event: as it was
        assert LiveClock.objects.count() == 1
    finally:
        release.set()
        other.join()
    assert refresh(D("2026-11-16")) == data_stamp()
    assert LiveClock.objects.count() == 2
