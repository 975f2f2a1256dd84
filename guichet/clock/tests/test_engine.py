"""Exact-value examples of the counting rule (DOMAIN.md, "How the clock counts").

Every expected date was counted by hand on the calendar; the comments show the counting:
(n) is the n-th counted day, C a closure day, W a weekend day, S a suspended business day.
"""

from collections.abc import Callable
from datetime import date

import pytest

from guichet.clock import (
    BusinessCalendar,
    CalendarRangeError,
    ClockInputError,
    ClockResult,
    DayReason,
    ExplainedDay,
    Outcome,
    Status,
    Suspension,
    compute,
    due_date,
    elapsed,
    explain,
    outcome,
    status,
    suspended_days,
)
from guichet.clock.tests.conftest import (
    JOUR_DE_L_AN,
    LENDEMAIN_DE_NOEL,
    LENDEMAIN_JOUR_DE_L_AN,
    LUNDI_DE_PAQUES,
    NOEL,
    VEILLE_DE_NOEL,
    VEILLE_JOUR_DE_L_AN,
    VENDREDI_SAINT,
    Clock,
    clock,
    d,
)

RUNNING, SUSPENDED, OVERDUE = Status.RUNNING, Status.SUSPENDED, Status.OVERDUE
RECEPTION, COUNTED, WEEKEND, CLOSURE, SUSP = (
    DayReason.RECEPTION,
    DayReason.COUNTED,
    DayReason.WEEKEND,
    DayReason.CLOSURE,
    DayReason.SUSPENDED,
)

# DOMAIN.md's worked example.
WORKED = clock("2026-12-18", 20)
WORKED_SUSPENDED = clock("2026-12-18", 20, ("2027-01-05", "2027-01-12"))


def run(cal: BusinessCalendar, c: Clock, as_of: str) -> ClockResult:
    return compute(cal, c.received, c.days, d(as_of), c.suspensions)


def due(cal: BusinessCalendar, c: Clock) -> date | None:
    return due_date(cal, c.received, c.days, c.suspensions)


def result(due: str | None, elapsed: int, suspended: int, state: Status) -> ClockResult:
    return ClockResult(
        due_date=None if due is None else d(due),
        elapsed=elapsed,
        suspended_days=suspended,
        status=state,
    )


# --- DOMAIN.md's worked example --------------------------------------------------------------


def test_worked_example(cal: BusinessCalendar) -> None:
    # Fri 2026-12-18 (day 0). Dec 21 (1), 22 (2), 23 (3), 24 C, 25 C, 26-27 W, 28 C (Lendemain
    # de Noël, moved), 29 (4), 30 (5), 31 C, Jan 1 C, 2-3 W, Jan 4 C (Lendemain du jour de l'An,
    # moved), 5 (6), 6 (7), 7 (8), 8 (9), 11 (10) ... 15 (14), 18 (15) ... 22 (19), Mon 25 (20).
    assert due(cal, WORKED) == d("2027-01-25")
    assert run(cal, WORKED, "2027-01-25") == result("2027-01-25", 20, 0, RUNNING)
    assert run(cal, WORKED, "2027-01-26") == result("2027-01-25", 21, 0, OVERDUE)
    assert run(cal, WORKED, "2026-12-31") == result("2027-01-25", 5, 0, RUNNING)


def test_worked_example_with_a_suspension(cal: BusinessCalendar) -> None:
    # Suspended from Tue 2027-01-05 to Tue 2027-01-12: Jan 5 (6) still counts (S < d), then
    # Jan 6, 7, 8, 11, 12 are S (five business days), Jan 13 (7) ... Jan 29 (19), Mon Feb 1 (20).
    c = WORKED_SUSPENDED
    assert due(cal, c) == d("2027-02-01")
    assert run(cal, c, "2027-02-01") == result("2027-02-01", 20, 5, RUNNING)
    assert run(cal, c, "2027-02-02") == result("2027-02-01", 21, 5, OVERDUE)
    assert run(cal, c, "2027-01-05") == result("2027-02-01", 6, 0, SUSPENDED)
    assert run(cal, c, "2027-01-11") == result("2027-02-01", 6, 4, SUSPENDED)
    assert run(cal, c, "2027-01-12") == result("2027-02-01", 6, 5, RUNNING)


# --- Reception day --------------------------------------------------------------------------


def test_reception_on_a_business_day_is_day_zero(cal: BusinessCalendar) -> None:
    # Wed 2026-03-04 (day 0), Thu 5 (1).
    c = clock("2026-03-04", 1)
    assert due(cal, c) == d("2026-03-05")
    assert run(cal, c, "2026-03-04") == result("2026-03-05", 0, 0, RUNNING)


def test_reception_on_a_saturday(cal: BusinessCalendar) -> None:
    # Sat 2026-03-07 (day 0), Sun 8 W, Mon 9 (1), Tue 10 (2).
    c = clock("2026-03-07", 2)
    assert due(cal, c) == d("2026-03-10")
    assert run(cal, c, "2026-03-07") == result("2026-03-10", 0, 0, RUNNING)
    assert run(cal, c, "2026-03-08") == result("2026-03-10", 0, 0, RUNNING)
    assert run(cal, c, "2026-03-09") == result("2026-03-10", 1, 0, RUNNING)


def test_reception_on_a_closure_day(cal: BusinessCalendar) -> None:
    # Good Friday 2026-04-03 (day 0), 4-5 W, Mon 6 C (Lundi de Pâques), Tue 7 (1).
    c = clock("2026-04-03", 1)
    assert due(cal, c) == d("2026-04-07")
    assert run(cal, c, "2026-04-06") == result("2026-04-07", 0, 0, RUNNING)


def test_as_of_before_reception(cal: BusinessCalendar) -> None:
    c = clock("2026-03-04", 1)
    assert run(cal, c, "2026-03-01") == result("2026-03-05", 0, 0, RUNNING)


# --- Suspensions ----------------------------------------------------------------------------


def test_suspension_starting_on_the_reception_day(cal: BusinessCalendar) -> None:
    # Mon 2026-03-02 (day 0), suspended to Wed 4: Tue 3 S, Wed 4 S, Thu 5 (1), Fri 6 (2),
    # Mon 9 (3), Tue 10 (4), Wed 11 (5).
    c = clock("2026-03-02", 5, ("2026-03-02", "2026-03-04"))
    assert due(cal, c) == d("2026-03-11")
    assert run(cal, c, "2026-03-02") == result("2026-03-11", 0, 0, SUSPENDED)
    assert run(cal, c, "2026-03-04") == result("2026-03-11", 0, 2, RUNNING)
    assert run(cal, c, "2026-03-11") == result("2026-03-11", 5, 2, RUNNING)


def test_suspension_ending_on_a_weekend(cal: BusinessCalendar) -> None:
    # Mon 2026-03-02 (day 0), Tue 3 (1), Wed 4 (2), Thu 5 (3) = S, Fri 6 S, Sat 7 W, Sun 8 = E W,
    # Mon 9 (4), Tue 10 (5).
    c = clock("2026-03-02", 5, ("2026-03-05", "2026-03-08"))
    assert due(cal, c) == d("2026-03-10")
    assert run(cal, c, "2026-03-07") == result("2026-03-10", 3, 1, SUSPENDED)
    assert run(cal, c, "2026-03-08") == result("2026-03-10", 3, 1, RUNNING)
    assert run(cal, c, "2026-03-10") == result("2026-03-10", 5, 1, RUNNING)


def test_suspension_covering_only_a_weekend_changes_nothing(cal: BusinessCalendar) -> None:
    # Fri 6 to Sun 8 covers Sat 7 and Sun 8 only.
    c = clock("2026-03-02", 5, ("2026-03-06", "2026-03-08"))
    assert due(cal, c) == d("2026-03-09")
    assert run(cal, c, "2026-03-07") == result("2026-03-09", 4, 0, SUSPENDED)


def test_zero_length_suspension(cal: BusinessCalendar) -> None:
    # S == E covers no day and is never "S <= A < E".
    c = clock("2026-03-02", 5, ("2026-03-04", "2026-03-04"))
    assert due(cal, c) == d("2026-03-09")
    assert run(cal, c, "2026-03-04") == result("2026-03-09", 2, 0, RUNNING)


def test_suspension_starting_on_the_duedate(cal: BusinessCalendar) -> None:
    # Without suspension: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), Mon 9 (5).
    # S on Mon 9 itself: day 9 still counts, the due date stays.
    on_due = clock("2026-03-02", 5, ("2026-03-09", "2026-03-11"))
    assert due(cal, on_due) == d("2026-03-09")
    assert run(cal, on_due, "2026-03-09") == result("2026-03-09", 5, 0, SUSPENDED)
    assert run(cal, on_due, "2026-03-11") == result("2026-03-09", 5, 2, RUNNING)
    # S on Fri 6 (4): Mon 9 and Tue 10 S, Wed 11 (5).
    day_before = clock("2026-03-02", 5, ("2026-03-06", "2026-03-10"))
    assert due(cal, day_before) == d("2026-03-11")


def test_open_suspension(cal: BusinessCalendar) -> None:
    # Mon 2026-03-02 (day 0), Tue 3 (1), Wed 4 (2), Thu 5 (3) = S, then every day is held.
    c = clock("2026-03-02", 10, ("2026-03-05", None))
    assert c.suspensions[0].is_open
    assert due(cal, c) is None
    assert run(cal, c, "2026-03-04") == result(None, 2, 0, RUNNING)
    assert run(cal, c, "2026-03-05") == result(None, 3, 0, SUSPENDED)
    # Mar 6, 9-13, 16-20: eleven business days held.
    assert run(cal, c, "2026-03-20") == result(None, 3, 11, SUSPENDED)
    # Mar 6 (1), 9-13 (5), 16-20 (5), 23-27 (5), 30-31 (2), Apr 1-2 (2), Apr 3 C, Apr 6 C,
    # 7-10 (4), 13-17 (5), 20-24 (5), 27-30 (4): 38; elapsed stays frozen at 3.
    assert run(cal, c, "2026-04-30") == result(None, 3, 38, SUSPENDED)


def test_open_suspension_once_closed(cal: BusinessCalendar) -> None:
    # The same suspension ended on Fri 2026-03-20: Mar 6..20 S (11), Mon 23 (4) ... 27 (8),
    # Mon 30 (9), Tue 31 (10).
    c = clock("2026-03-02", 10, ("2026-03-05", "2026-03-20"))
    assert due(cal, c) == d("2026-03-31")
    assert run(cal, c, "2026-03-31") == result("2026-03-31", 10, 11, RUNNING)


def test_open_suspension_after_the_due_date_keeps_the_duedate(cal: BusinessCalendar) -> None:
    # Tue 3 (1), Wed 4 (2), Thu 5 (3): due before the suspension from Fri 6 starts.
    c = clock("2026-03-02", 3, ("2026-03-06", None))
    assert due(cal, c) == d("2026-03-05")
    assert run(cal, c, "2026-03-05") == result("2026-03-05", 3, 0, RUNNING)
    # Fri 6 = S still counts (4 > 3: overdue); Mon 9 and Tue 10 are held.
    assert run(cal, c, "2026-03-10") == result("2026-03-05", 4, 2, OVERDUE)


def test_overlapping_suspensions(cal: BusinessCalendar) -> None:
    # (Tue 3, Fri 6] covers 4, 5, 6; (Thu 5, Tue 10] covers 6, 9, 10: together 4, 5, 6, 9, 10
    # (five, not six). Tue 3 (1), Wed 11 (2), Thu 12 (3), Fri 13 (4), Mon 16 (5).
    first, second = ("2026-03-03", "2026-03-06"), ("2026-03-05", "2026-03-10")
    for c in (clock("2026-03-02", 5, first, second), clock("2026-03-02", 5, second, first)):
        assert due(cal, c) == d("2026-03-16")
        assert run(cal, c, "2026-03-31") == result("2026-03-16", 16, 5, OVERDUE)
        assert run(cal, c, "2026-03-09") == result("2026-03-16", 1, 4, SUSPENDED)
        assert run(cal, c, "2026-03-10") == result("2026-03-16", 1, 5, RUNNING)


def test_nested_suspensions(cal: BusinessCalendar) -> None:
    # (Tue 3, Thu 12] covers 4, 5, 6, 9, 10, 11, 12, and contains (Thu 5, Fri 6].
    # Tue 3 (1), Fri 13 (2), Mon 16 (3), Tue 17 (4), Wed 18 (5).
    c = clock("2026-03-02", 5, ("2026-03-03", "2026-03-12"), ("2026-03-05", "2026-03-06"))
    assert due(cal, c) == d("2026-03-18")
    assert run(cal, c, "2026-03-18") == result("2026-03-18", 5, 7, RUNNING)


def test_overlapping_with_an_open_suspension(cal: BusinessCalendar) -> None:
    c = clock("2026-03-02", 5, ("2026-03-05", None), ("2026-03-03", "2026-03-06"))
    assert due(cal, c) is None
    # Tue 3 (1), then everything after Tue 3 is held.
    assert run(cal, c, "2026-03-13") == result(None, 1, 8, SUSPENDED)


def test_back_to_back_suspensions(cal: BusinessCalendar) -> None:
    # (Tue 3, Thu 5] covers 4, 5; (Thu 5, Mon 9] covers 6, 9: E1 == S2 leaves no gap.
    # Tue 3 (1), Tue 10 (2), Wed 11 (3), Thu 12 (4), Fri 13 (5).
    c = clock("2026-03-02", 5, ("2026-03-03", "2026-03-05"), ("2026-03-05", "2026-03-09"))
    assert due(cal, c) == d("2026-03-13")
    assert run(cal, c, "2026-03-04") == result("2026-03-13", 1, 1, SUSPENDED)
    assert run(cal, c, "2026-03-05") == result("2026-03-13", 1, 2, SUSPENDED)  # S2 <= A < E2
    assert run(cal, c, "2026-03-09") == result("2026-03-13", 1, 4, RUNNING)
    assert run(cal, c, "2026-03-13") == result("2026-03-13", 5, 4, RUNNING)


def test_suspensions_with_a_gap(cal: BusinessCalendar) -> None:
    # (Tue 3, Wed 4] covers 4; (Fri 6, Tue 10] covers 9, 10. Tue 3 (1), Thu 5 (2), Fri 6 (3),
    # Wed 11 (4), Thu 12 (5).
    c = clock("2026-03-02", 5, ("2026-03-06", "2026-03-10"), ("2026-03-03", "2026-03-04"))
    assert due(cal, c) == d("2026-03-12")
    assert run(cal, c, "2026-03-05") == result("2026-03-12", 2, 1, RUNNING)
    assert run(cal, c, "2026-03-12") == result("2026-03-12", 5, 3, RUNNING)


def test_suspended_days_count_only_business_days(cal: BusinessCalendar) -> None:
    # Received Mon 2026-12-14; suspended from Thu 2026-12-17 to Tue 2027-01-05 (19 calendar
    # days). Covered business days: Dec 18, 21, 22, 23, 29, 30 and Jan 5 = 7 (Dec 24, 25, 28,
    # 31, Jan 1 and Jan 4 are closures, the rest weekends).
    c = clock("2026-12-14", 20, ("2026-12-17", "2027-01-05"))
    as_of = [("2026-12-17", 0), ("2026-12-18", 1), ("2026-12-25", 4), ("2027-01-31", 7)]
    for day, expected in as_of:
        assert suspended_days(cal, c.received, d(day), c.suspensions) == expected, day
    # Dec 15 (1), 16 (2), 17 (3), Jan 6 (4), 7 (5), 8 (6), 11-15 (7-11), 18-22 (12-16),
    # 25 (17), 26 (18), 27 (19), Thu Jan 28 (20).
    assert due(cal, c) == d("2027-01-28")
    assert run(cal, c, "2027-01-31") == result("2027-01-28", 21, 7, OVERDUE)


# --- Year-end closures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # Fri 2025-12-19: Mon 22 (1), Tue 23 (2), 24 C, 25 C, 26 C, 27-28 W, Mon 29 (3),
        # Tue 30 (4), 31 C, Jan 1 C, Jan 2 C, 3-4 W, Mon 2026-01-05 (5).
        ("2025-12-19", 5, "2026-01-05"),
        # Tue 2026-12-22: Wed 23 (1), 24 C, 25 C, 26-27 W, 28 C, Tue 29 (2), Wed 30 (3), 31 C,
        # Jan 1 C, 2-3 W, Mon Jan 4 C, Tue 2027-01-05 (4), Wed 2027-01-06 (5).
        ("2026-12-22", 5, "2027-01-06"),
        # Thu 2027-12-23: Fri 24 C, 25-26 W, Mon 27 C (Noël), Tue 28 C (Lendemain de Noël),
        # Wed 29 (1), Thu 30 (2), Fri 31 C, 2028: 1-2 W, Mon 3 C and Tue 4 C (Jan 1 and 2
        # moved by the rule), Wed 2028-01-05 (3).
        ("2027-12-23", 3, "2028-01-05"),
        # Fri 2027-12-17: Mon 20 (1), 21 (2), 22 (3), Thu 23 (4), then as above: Wed 29 (5),
        # Thu 30 (6), Wed Jan 5 (7), Thu 6 (8), Fri 7 (9), Mon 2028-01-10 (10).
        ("2027-12-17", 10, "2028-01-10"),
    ],
)
def test_year_end_closures(cal: BusinessCalendar, received: str, days: int, expected: str) -> None:
    assert due(cal, clock(received, days)) == d(expected)


# --- Commitments of the declaration -----------------------------------------------------------


def test_voice_mail_one_business_day(cal: BusinessCalendar) -> None:
    # A message left Wed 2026-12-23: 24 C, 25 C, 26-27 W, 28 C, Tue 29 (1).
    assert due(cal, clock("2026-12-23", 1)) == d("2026-12-29")
    # Left on a Friday: answered on Monday.
    assert due(cal, clock("2026-03-06", 1)) == d("2026-03-09")


def test_french_courses_sixty_five_days(cal: BusinessCalendar) -> None:
    # Admissibility confirmed Mon 2026-03-02. March 3-31: 21 days; Apr 1-2 (23), Apr 3 C,
    # Apr 6 C, Apr 7-30 (41); May 1 (42), 4-15 (52), May 18 C, 19-22 (56), 25-29 (61);
    # June 1-4 (65).
    c = clock("2026-03-02", 65)
    assert due(cal, c) == d("2026-06-04")
    assert run(cal, c, "2026-04-30") == result("2026-06-04", 41, 0, RUNNING)
    assert run(cal, c, "2026-06-05") == result("2026-06-04", 66, 0, OVERDUE)


# --- Status and outcome ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Mon 2026-03-02, 5 days, suspended (Tue 3, Thu 5]: Tue 3 (1), Wed 4 S, Thu 5 S,
        # Fri 6 (2), Mon 9 (3), Tue 10 (4), Wed 11 (5).
        ("2026-03-02", RUNNING),
        ("2026-03-03", SUSPENDED),  # S <= A
        ("2026-03-04", SUSPENDED),
        ("2026-03-05", RUNNING),  # A == E: running again
        ("2026-03-11", RUNNING),  # on the due date
        ("2026-03-12", OVERDUE),
        ("2026-03-14", OVERDUE),
    ],
)
def test_status(cal: BusinessCalendar, as_of: str, expected: Status) -> None:
    c = clock("2026-03-02", 5, ("2026-03-03", "2026-03-05"))
    assert status(cal, c.received, c.days, d(as_of), c.suspensions) is expected
    assert run(cal, c, as_of).status is expected


def test_overdue_takes_precedence_over_suspended(cal: BusinessCalendar) -> None:
    # 3 days: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), Mon 9 (5) = S of an open suspension.
    c = clock("2026-03-02", 3, ("2026-03-09", None))
    assert run(cal, c, "2026-03-09") == result("2026-03-05", 5, 0, OVERDUE)
    assert run(cal, c, "2026-03-20") == result("2026-03-05", 5, 9, OVERDUE)


@pytest.mark.parametrize(
    ("c", "finished_on", "expected"),
    [
        # Due Mon 2026-03-09.
        (clock("2026-03-02", 5), "2026-03-02", Outcome.MET),
        (clock("2026-03-02", 5), "2026-03-09", Outcome.MET),
        (clock("2026-03-02", 5), "2026-03-10", Outcome.MISSED),
        # Due Fri 2026-03-06: finishing during the weekend after is still within 4 days.
        (clock("2026-03-02", 4), "2026-03-06", Outcome.MET),
        (clock("2026-03-02", 4), "2026-03-08", Outcome.MET),
        (clock("2026-03-02", 4), "2026-03-09", Outcome.MISSED),
        # Voice mail due Tue 2026-12-29: Mon 28 is a closure day.
        (clock("2026-12-23", 1), "2026-12-28", Outcome.MET),
        (clock("2026-12-23", 1), "2026-12-29", Outcome.MET),
        (clock("2026-12-23", 1), "2026-12-30", Outcome.MISSED),
        # The suspended worked example, due Mon 2027-02-01.
        (WORKED_SUSPENDED, "2027-02-01", Outcome.MET),
        (WORKED_SUSPENDED, "2027-02-02", Outcome.MISSED),
        (WORKED, "2027-02-01", Outcome.MISSED),
    ],
)
def test_outcome(cal: BusinessCalendar, c: Clock, finished_on: str, expected: Outcome) -> None:
    assert outcome(cal, c.received, c.days, d(finished_on), c.suspensions) is expected


def test_elapsed_alone(cal: BusinessCalendar) -> None:
    c = WORKED_SUSPENDED
    assert elapsed(cal, c.received, d("2027-01-12"), c.suspensions) == 6
    assert elapsed(cal, c.received, d("2027-01-13"), c.suspensions) == 7
    assert elapsed(cal, c.received, d("2027-01-13")) == 12


# --- explain() ------------------------------------------------------------------------------


def test_explain_every_reason(cal: BusinessCalendar) -> None:
    c = clock("2026-12-21", 4, ("2026-12-21", "2026-12-22"))
    assert explain(cal, c.received, c.days, c.received, c.suspensions) == [
        ExplainedDay(d("2026-12-21"), RECEPTION, None),
        ExplainedDay(d("2026-12-22"), SUSP, None),
        ExplainedDay(d("2026-12-23"), COUNTED, 1),
        ExplainedDay(d("2026-12-24"), CLOSURE, None, VEILLE_DE_NOEL),
        ExplainedDay(d("2026-12-25"), CLOSURE, None, NOEL),
        ExplainedDay(d("2026-12-26"), WEEKEND, None),
        ExplainedDay(d("2026-12-27"), WEEKEND, None),
        ExplainedDay(d("2026-12-28"), CLOSURE, None, LENDEMAIN_DE_NOEL),
        ExplainedDay(d("2026-12-29"), COUNTED, 2),
        ExplainedDay(d("2026-12-30"), COUNTED, 3),
        ExplainedDay(d("2026-12-31"), CLOSURE, None, VEILLE_JOUR_DE_L_AN),
        ExplainedDay(d("2027-01-01"), CLOSURE, None, JOUR_DE_L_AN),
        ExplainedDay(d("2027-01-02"), WEEKEND, None),
        ExplainedDay(d("2027-01-03"), WEEKEND, None),
        ExplainedDay(d("2027-01-04"), CLOSURE, None, LENDEMAIN_JOUR_DE_L_AN),
        ExplainedDay(d("2027-01-05"), COUNTED, 4),
    ]


def test_explain_closure_inside_a_suspension_stays_a_closure(cal: BusinessCalendar) -> None:
    c = clock("2026-12-21", 3, ("2026-12-23", "2026-12-29"))
    assert explain(cal, c.received, c.days, d("2027-06-30"), c.suspensions) == [
        ExplainedDay(d("2026-12-21"), RECEPTION, None),
        ExplainedDay(d("2026-12-22"), COUNTED, 1),
        ExplainedDay(d("2026-12-23"), COUNTED, 2),  # S itself counts
        ExplainedDay(d("2026-12-24"), CLOSURE, None, VEILLE_DE_NOEL),
        ExplainedDay(d("2026-12-25"), CLOSURE, None, NOEL),
        ExplainedDay(d("2026-12-26"), WEEKEND, None),
        ExplainedDay(d("2026-12-27"), WEEKEND, None),
        ExplainedDay(d("2026-12-28"), CLOSURE, None, LENDEMAIN_DE_NOEL),
        ExplainedDay(d("2026-12-29"), SUSP, None),
        ExplainedDay(d("2026-12-30"), COUNTED, 3),
    ]


def test_explain_reception_on_a_closure_day(cal: BusinessCalendar) -> None:
    c = clock("2026-04-03", 1)
    assert explain(cal, c.received, c.days, c.received) == [
        ExplainedDay(d("2026-04-03"), RECEPTION, None, VENDREDI_SAINT),
        ExplainedDay(d("2026-04-04"), WEEKEND, None),
        ExplainedDay(d("2026-04-05"), WEEKEND, None),
        ExplainedDay(d("2026-04-06"), CLOSURE, None, LUNDI_DE_PAQUES),
        ExplainedDay(d("2026-04-07"), COUNTED, 1),
    ]


def test_explain_the_worked_example(cal: BusinessCalendar) -> None:
    c = WORKED_SUSPENDED
    days = explain(cal, c.received, c.days, d("2026-12-18"), c.suspensions)
    assert days[0] == ExplainedDay(d("2026-12-18"), RECEPTION, None)
    assert days[-1] == ExplainedDay(d("2027-02-01"), COUNTED, 20)
    assert len(days) == 46  # 2026-12-18 .. 2027-02-01
    assert [x.counted for x in days if x.reason is COUNTED] == list(range(1, 21))
    assert [x.day for x in days if x.reason is SUSP] == [
        d("2027-01-06"),
        d("2027-01-07"),
        d("2027-01-08"),
        d("2027-01-11"),
        d("2027-01-12"),
    ]
    assert [(x.day, x.closure) for x in days if x.reason is CLOSURE] == [
        (d("2026-12-24"), VEILLE_DE_NOEL),
        (d("2026-12-25"), NOEL),
        (d("2026-12-28"), LENDEMAIN_DE_NOEL),
        (d("2026-12-31"), VEILLE_JOUR_DE_L_AN),
        (d("2027-01-01"), JOUR_DE_L_AN),
        (d("2027-01-04"), LENDEMAIN_JOUR_DE_L_AN),
    ]
    assert sum(x.reason is WEEKEND for x in days) == 14
    assert all(x.closure is None for x in days if x.reason is not CLOSURE)


def test_explain_open_suspension_runs_to_as_of(cal: BusinessCalendar) -> None:
    c = clock("2026-03-02", 10, ("2026-03-05", None))
    assert explain(cal, c.received, c.days, d("2026-03-10"), c.suspensions) == [
        ExplainedDay(d("2026-03-02"), RECEPTION, None),
        ExplainedDay(d("2026-03-03"), COUNTED, 1),
        ExplainedDay(d("2026-03-04"), COUNTED, 2),
        ExplainedDay(d("2026-03-05"), COUNTED, 3),
        ExplainedDay(d("2026-03-06"), SUSP, None),
        ExplainedDay(d("2026-03-07"), WEEKEND, None),
        ExplainedDay(d("2026-03-08"), WEEKEND, None),
        ExplainedDay(d("2026-03-09"), SUSP, None),
        ExplainedDay(d("2026-03-10"), SUSP, None),
    ]


# --- Validation and range -------------------------------------------------------------------

CheckedCall = Callable[[BusinessCalendar, date, int, tuple[Suspension, ...]], object]

CHECKED: dict[str, CheckedCall] = {
    "compute": lambda cal, r, n, s: compute(cal, r, n, d("2026-04-30"), s),
    "due_date": lambda cal, r, n, s: due_date(cal, r, n, s),
    "status": lambda cal, r, n, s: status(cal, r, n, d("2026-04-30"), s),
    "outcome": lambda cal, r, n, s: outcome(cal, r, n, d("2026-04-30"), s),
    "explain": lambda cal, r, n, s: explain(cal, r, n, d("2026-04-30"), s),
}

INVALID = {
    "N = 0": (clock("2026-03-02", 0), "au moins 1 jour"),
    "N < 0": (clock("2026-03-02", -5), "au moins 1 jour"),
    "suspension before reception": (
        clock("2026-03-02", 5, ("2026-03-01", "2026-03-04")),
        "avant la réception",
    ),
    "open suspension before reception": (
        clock("2026-03-02", 5, ("2026-02-27", None)),
        "avant la réception",
    ),
    "end before start": (
        clock("2026-03-02", 5, ("2026-03-04", "2026-03-10"), ("2026-03-06", "2026-03-05")),
        "avant son début",
    ),
}


@pytest.mark.parametrize("call", CHECKED.values(), ids=CHECKED.keys())
@pytest.mark.parametrize(("c", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_inputs_are_refused(
    cal: BusinessCalendar, call: CheckedCall, c: Clock, message: str
) -> None:
    with pytest.raises(ClockInputError, match=message):
        call(cal, c.received, c.days, c.suspensions)


def test_clock_input_error_is_a_value_error() -> None:
    assert issubclass(ClockInputError, ValueError)


def test_dates_outside_the_calendar(cal: BusinessCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        compute(cal, d("1969-12-31"), 5, d("1970-02-01"))
    with pytest.raises(CalendarRangeError):
        compute(cal, d("2026-03-02"), 5, d("2101-01-01"))
    with pytest.raises(CalendarRangeError):
        due_date(cal, d("2026-03-02"), 5, (Suspension(d("2026-03-03"), d("2101-01-01")),))
    # A due date past the calendar's last business day (2100-12-30).
    with pytest.raises(CalendarRangeError):
        due_date(cal, d("2100-12-01"), 70)
    assert due_date(cal, d("2100-12-29"), 1) == d("2100-12-30")


def test_elapsed_and_suspended_days_validate_their_suspensions(cal: BusinessCalendar) -> None:
    backwards = [Suspension(date(2026, 3, 6), date(2026, 3, 5))]
    early = [Suspension(date(2026, 3, 1), date(2026, 3, 5))]
    for bad in (backwards, early):
        with pytest.raises(ClockInputError):
            elapsed(cal, date(2026, 3, 2), date(2026, 3, 20), bad)
        with pytest.raises(ClockInputError):
            suspended_days(cal, date(2026, 3, 2), date(2026, 3, 20), bad)
