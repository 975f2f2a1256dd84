"""The bulk clock table against hand-computed cases, and against the engine (derive_clocks) on a
few hundred random dossiers with every oddity a history can have."""

import random
from datetime import date, timedelta

import numpy as np
import pytest
import time_machine

from guichet.accounts.models import Unit
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Commitment
from guichet.clock import Suspension, compute, elapsed
from guichet.clock.batch import STATUS_NAMES
from guichet.dossiers.clocks import derive_clocks, suspensions_of
from guichet.dossiers.models import Dossier, EventKind
from guichet.reports import clocktable as ct
from guichet.reports.tests.builders import insert_dossier
from guichet.testing import Personas

pytestmark = pytest.mark.django_db

D = date.fromisoformat
DECIDED = EventKind.DECIDED
NOTICE = EventKind.INCOMPLETENESS_NOTICE
ITEMS = EventKind.ITEMS_RECEIVED


def table_now(today: str = "2027-05-15") -> ct.ClockTable:
    return ct.clock_table(business_calendar(), ct.Scope(), D(today))


def row_of(table: ct.ClockTable, dossier: Dossier, code: str) -> dict[str, object]:
    commitment = Commitment.objects.get(service=dossier.service, code=code)
    [i] = np.flatnonzero((table.dossier == dossier.pk) & (table.commitment == commitment.pk))
    return {
        "outcome": int(table.outcome[i]),
        "start": ct.day_of(table.start[i]),
        "stop": ct.day_of(table.stop[i]) if table.stop[i] != ct.NONE else None,
        "elapsed": int(table.elapsed[i]),
        "met": bool(table.met[i]),
    }


def test_the_worked_example_met_and_missed_at_the_boundary(personas: Personas) -> None:
    # Received Fri 2026-12-18, 20 business days: the 20th counted day is Mon 2027-01-25.
    on_time = insert_dossier("caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-25"))])
    late = insert_dossier("caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-26"))])
    table = table_now()
    assert row_of(table, on_time, "caq-etudes-decision") == {
        "outcome": ct.STOPPED,
        "start": D("2026-12-18"),
        "stop": D("2027-01-25"),
        "elapsed": 20,
        "met": True,
    }
    assert row_of(table, late, "caq-etudes-decision")["elapsed"] == 21
    assert row_of(table, late, "caq-etudes-decision")["met"] is False


def test_suspended_days_are_not_counted(personas: Personas) -> None:
    # Suspended from Tue 2027-01-05 to Tue 2027-01-12: Jan 6, 7, 8, 11 and 12 do not count.
    suspension = [(NOTICE, D("2027-01-05")), (ITEMS, D("2027-01-12"))]
    on_time = insert_dossier(
        "caq-etudiant", D("2026-12-18"), [*suspension, (DECIDED, D("2027-02-01"))]
    )
    late = insert_dossier(
        "caq-etudiant", D("2026-12-18"), [*suspension, (DECIDED, D("2027-02-02"))]
    )
    table = table_now()
    assert row_of(table, on_time, "caq-etudes-decision")["elapsed"] == 20
    assert row_of(table, on_time, "caq-etudes-decision")["met"] is True
    assert row_of(table, late, "caq-etudes-decision")["elapsed"] == 21


def test_a_second_notice_while_one_is_pending_and_stray_items_change_nothing(
    personas: Personas,
) -> None:
    d = insert_dossier(
        "caq-etudiant",
        D("2026-12-18"),
        [
            (ITEMS, D("2026-12-21")),  # nothing was asked for: no effect
            (NOTICE, D("2027-01-05")),
            (NOTICE, D("2027-01-07")),  # one is pending: no effect
            (ITEMS, D("2027-01-12")),
            (DECIDED, D("2027-02-01")),
        ],
    )
    assert row_of(table_now(), d, "caq-etudes-decision")["elapsed"] == 20


def test_withdrawn_and_closed_without_the_event_are_neither_met_nor_missed(
    personas: Personas,
) -> None:
    withdrawn = insert_dossier(
        "caq-etudiant", D("2026-12-18"), [(EventKind.WITHDRAWN, D("2027-01-10"))]
    )
    stopped_then_closed = insert_dossier(
        "csq-travailleur-permanent",
        D("2026-12-18"),
        [(EventKind.ACKNOWLEDGED, D("2027-01-05")), (EventKind.CLOSED, D("2027-02-01"))],
    )
    table = table_now()
    assert row_of(table, withdrawn, "caq-etudes-decision")["outcome"] == ct.ENDED
    assert row_of(table, withdrawn, "caq-etudes-decision")["met"] is False
    # The acknowledgment came before the closing: that clock counts.
    assert row_of(table, stopped_then_closed, "csq-tp-ouverture") == {
        "outcome": ct.STOPPED,
        "start": D("2026-12-18"),
        "stop": D("2027-01-05"),
        "elapsed": 6,  # Dec 21, 22, 23, 29, 30 and Jan 5
        "met": True,
    }


def test_a_clock_from_another_event_than_reception(personas: Personas) -> None:
    # French courses: the course start is counted from the confirmation of admissibility.
    d = insert_dossier(
        "francais-temps-complet",
        D("2026-10-01"),
        [
            (EventKind.COURSE_STARTED, D("2026-10-15")),  # before its clock started: ignored
            (EventKind.ADMISSIBILITY_NOTICE_SENT, D("2026-10-20")),
            (EventKind.ADMISSIBILITY_CONFIRMED, D("2026-11-02")),
            (EventKind.COURSE_STARTED, D("2027-01-18")),
        ],
    )
    table = table_now()
    # Oct 2, 5-9, 13-16 (the 12th is Thanksgiving), 19, 20.
    assert row_of(table, d, "francais-tc-admissibilite")["elapsed"] == 12
    assert row_of(table, d, "francais-tc-debut-cours") == {
        "outcome": ct.STOPPED,
        "start": D("2026-11-02"),
        "stop": D("2027-01-18"),
        "elapsed": 49,  # 20 in November, 19 in December, 10 in January
        "met": True,
    }


def test_a_running_clock_as_of_today(personas: Personas) -> None:
    d = insert_dossier("caq-etudiant", D("2026-12-18"), [(NOTICE, D("2027-01-05"))])
    table = ct.clock_table(business_calendar(), ct.Scope(), D("2027-01-20"))
    [i] = np.flatnonzero(table.dossier == d.pk)
    assert table.outcome[i] == ct.RUNNING
    assert table.open[i]
    assert table.elapsed[i] == 6  # frozen since the notice
    assert table.due[i] == ct.NONE  # no due date while documents are awaited


# --- Against the engine ------------------------------------------------------------------------

KINDS = [
    EventKind.ACKNOWLEDGED,
    EventKind.DECIDED,
    EventKind.INCOMPLETENESS_NOTICE,
    EventKind.ITEMS_RECEIVED,
    EventKind.ADMISSIBILITY_NOTICE_SENT,
    EventKind.ADMISSIBILITY_CONFIRMED,
    EventKind.COURSE_STARTED,
    EventKind.ASSIGNED,
    EventKind.FEE_PAID,
    EventKind.WITHDRAWN,
    EventKind.CLOSED,
]
WEIGHTS = [8, 8, 8, 7, 4, 4, 4, 3, 3, 1, 1]


def random_history(rng: random.Random, received: date) -> list[tuple[str, date]]:
    events: list[tuple[str, date]] = []
    for _ in range(rng.randint(0, 9)):
        kind = rng.choices(KINDS, WEIGHTS)[0]
        # Mostly after reception, in any order; a few dated before it (entered late).
        day = received + timedelta(days=rng.randint(-4, 140))
        events.append((kind, day))
    if rng.random() < 0.6:
        events.sort(key=lambda e: e[1])  # the usual case: history in date order
    return events


@time_machine.travel("2026-11-16 10:00 -05:00", tick=False)
def test_the_table_equals_derive_clocks_on_random_dossiers(personas: Personas) -> None:
    rng = random.Random(20261116)  # noqa: S311 (test data)
    codes = ["caq-etudiant", "csq-travailleur-permanent", "francais-temps-complet"]
    dossiers = []
    for _ in range(320):
        received = D("2025-01-01") + timedelta(days=rng.randint(0, 640))
        dossiers.append(
            insert_dossier(
                rng.choice(codes), received, random_history(rng, received), channel="mail"
            )
        )
    cal = business_calendar()
    today = D("2026-11-16")
    table = ct.clock_table(cal, ct.Scope(), today, processing=True)
    rows = {
        (int(d), int(c)): i
        for i, (d, c) in enumerate(zip(table.dossier, table.commitment, strict=True))
    }
    checked = {"stopped": 0, "running": 0, "ended": 0, "processing": 0}
    for dossier in Dossier.objects.select_related("service").filter(
        pk__in=[d.pk for d in dossiers]
    ):
        events = list(dossier.events.all())
        derived = derive_clocks(cal, dossier, events)
        started = {c.commitment.pk for c in derived if c.started_on is not None}
        in_table = {c for d, c in rows if d == dossier.pk and c != ct.PROCESSING}
        assert in_table == started, dossier.number
        for clock in derived:
            if clock.started_on is None:
                continue
            i = rows[(dossier.pk, clock.commitment.pk)]
            assert ct.day_of(table.start[i]) == clock.started_on
            if clock.ended:
                assert table.outcome[i] == ct.ENDED
                checked["ended"] += 1
            elif clock.stopped_on is not None:
                assert table.outcome[i] == ct.STOPPED
                assert ct.day_of(table.stop[i]) == clock.stopped_on
                at_stop = compute(
                    cal, clock.started_on, clock.commitment.target, clock.stopped_on,
                    clock.suspensions,
                )  # fmt: skip
                assert table.elapsed[i] == at_stop.elapsed, dossier.number
                assert bool(table.met[i]) == (clock.outcome == "met"), dossier.number
                checked["stopped"] += 1
            else:
                assert table.outcome[i] == ct.RUNNING
                now = clock.as_of(cal, today)
                assert now is not None
                assert table.elapsed[i] == now.elapsed, dossier.number
                assert STATUS_NAMES[int(table.status[i])] == now.status, dossier.number
                due = ct.day_of(table.due[i]) if table.due[i] != ct.NONE else None
                assert due == clock.due_date, dossier.number
                assert bool(table.at_risk[i]) == (
                    clock.at_risk_on is not None and clock.at_risk_on <= today
                ), dossier.number
                assert bool(table.open[i]) == dossier.is_open
                checked["running"] += 1
        # The processing pseudo-clock: reception to the first decision dated on or after it.
        decisions = [e.occurred_on for e in events if e.kind == DECIDED]
        decided = [day for day in decisions if day >= dossier.received_on][:1]
        if decided:
            i = rows[(dossier.pk, ct.PROCESSING)]
            start = dossier.received_on
            clipped = [
                Suspension(max(s.start, start), s.end)
                for s in suspensions_of(events)
                if s.end is None or s.end >= start
            ]
            assert ct.day_of(table.stop[i]) == decided[0]
            assert table.elapsed[i] == elapsed(cal, start, decided[0], clipped), dossier.number
            checked["processing"] += 1
    # Every case was met many times.
    assert min(checked.values()) >= 20, checked


@pytest.mark.django_db(transaction=True)
def test_reading_on_two_connections_gives_the_same_rows(personas: Personas) -> None:
    """Outside a transaction, PostgreSQL reads the dossiers and the events at once on two
    connections; the rows are the same as one after the other."""
    for day in ("2026-12-18", "2027-01-04"):
        insert_dossier("caq-etudiant", D(day), [(NOTICE, D("2027-01-05")), (DECIDED, D(day))])
    scope = ct.Scope(events_until=10_000)
    together = ct.read(scope)
    units = tuple(Unit.objects.values_list("pk", flat=True))
    one_by_one = ct.read(ct.Scope(units=units, events_until=10_000))  # narrow: one connection
    assert together[0].id.tolist() == one_by_one[0].id.tolist()
    assert together[1].day.tolist() == one_by_one[1].day.tolist()
    assert together[1].kind.tolist() == one_by_one[1].kind.tolist()
    first, second = ct._concurrently(lambda: np.arange(3), lambda: np.arange(2))
    assert (first.tolist(), second.tolist()) == ([0, 1, 2], [0, 1])
