"""The counting rule of DOMAIN.md as pure functions over one clock.

- The date of reception R is day 0 and never counts. Day d counts when d > R, d is a business
  day, and no suspension covers d.
- A suspension (S, E) covers the days S < d <= E; an open one (E unknown) covers every day after
  S, and the clock has no due date until it ends. Suspensions may overlap or follow one another.
- Due date: the N-th counted day. Elapsed on A: the counted days d with R < d <= A.
- Status on A: `overdue` when elapsed(A) > N; else `suspended` when a suspension has
  S <= A < E (or is open with S <= A); else `running`.
- A finished clock met its commitment when elapsed(finished on) <= N.

Every computation goes through business-day ordinals (see `calendar.py`), so its cost does not
grow with the length of the delay.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from guichet.clock.calendar import BusinessCalendar

# An open suspension ends beyond any ordinal of the calendar.
OPEN = 1 << 40


class ClockInputError(ValueError):
    """The inputs of a clock break the rule's preconditions (N < 1, end before start...)."""


class Status(enum.StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"
    OVERDUE = "overdue"


class Outcome(enum.StrEnum):
    MET = "met"
    MISSED = "missed"


class DayReason(enum.StrEnum):
    RECEPTION = "reception"
    COUNTED = "counted"
    WEEKEND = "weekend"
    CLOSURE = "closure"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Suspension:
    """The clock stops after `start` and restarts after `end` (None while still open)."""

    start: date
    end: date | None = None

    @property
    def is_open(self) -> bool:
        return self.end is None


@dataclass(frozen=True)
class ClockResult:
    due_date: date | None
    elapsed: int
    suspended_days: int
    status: Status


@dataclass(frozen=True)
class ExplainedDay:
    day: date
    reason: DayReason
    counted: int | None  # the number of this counted day (1..N), None when it does not count
    closure: str | None = None  # the closure day's French name


def validate(received: date, days: int, suspensions: Sequence[Suspension]) -> None:
    """Raise `ClockInputError` unless the inputs satisfy the rule's preconditions.

    The messages are in French: they reach the people who typed the dates.
    """
    if days < 1:
        raise ClockInputError(f"le délai doit être d'au moins 1 jour, pas {days}")
    validate_suspensions(received, suspensions)


def validate_suspensions(received: date, suspensions: Sequence[Suspension]) -> None:
    """Raise `ClockInputError` for a suspension before reception or ending before it starts."""
    for s in suspensions:
        if s.start < received:
            raise ClockInputError(
                f"la suspension commence le {s.start.isoformat()}, avant la réception "
                f"({received.isoformat()})"
            )
        if s.end is not None and s.end < s.start:
            raise ClockInputError(
                f"la suspension finit le {s.end.isoformat()}, avant son début "
                f"({s.start.isoformat()})"
            )


def suspended_intervals(
    cal: BusinessCalendar, received: date, suspensions: Sequence[Suspension]
) -> list[tuple[int, int]]:
    """Disjoint, sorted ordinal intervals (a, b] of business days after R that are suspended.

    An open suspension gives b = OPEN.
    """
    floor = cal.ordinal(received)
    raw = sorted(
        (max(cal.ordinal(s.start), floor), OPEN if s.end is None else cal.ordinal(s.end))
        for s in suspensions
    )
    merged: list[tuple[int, int]] = []
    for a, b in raw:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _covered(intervals: Sequence[tuple[int, int]], upto: int) -> int:
    """Suspended ordinals in intervals clipped to (., upto]."""
    return sum(max(0, min(b, upto) - a) for a, b in intervals)


def due_date(
    cal: BusinessCalendar, received: date, days: int, suspensions: Sequence[Suspension] = ()
) -> date | None:
    """The N-th counted day after reception, or None while an open suspension holds it back."""
    validate(received, days, suspensions)
    target = cal.ordinal(received) + days
    for a, b in suspended_intervals(cal, received, suspensions):
        if a >= target:
            break
        if b == OPEN:
            return None
        target += b - a
    return cal.business_day(target)


def elapsed(
    cal: BusinessCalendar, received: date, as_of: date, suspensions: Sequence[Suspension] = ()
) -> int:
    """Counted days d with R < d <= as_of."""
    validate_suspensions(received, suspensions)
    upto = cal.ordinal(as_of)
    start = cal.ordinal(received)
    if upto <= start:
        return 0
    return upto - start - _covered(suspended_intervals(cal, received, suspensions), upto)


def suspended_days(
    cal: BusinessCalendar, received: date, as_of: date, suspensions: Sequence[Suspension] = ()
) -> int:
    """Business days d with R < d <= as_of that a suspension covers."""
    validate_suspensions(received, suspensions)
    return _covered(suspended_intervals(cal, received, suspensions), cal.ordinal(as_of))


def is_suspended_on(suspensions: Sequence[Suspension], as_of: date) -> bool:
    """True when a suspension has S <= as_of < E (or is open with S <= as_of)."""
    return any(s.start <= as_of and (s.end is None or as_of < s.end) for s in suspensions)


def _status(counted: int, days: int, suspensions: Sequence[Suspension], as_of: date) -> Status:
    if counted > days:
        return Status.OVERDUE
    if is_suspended_on(suspensions, as_of):
        return Status.SUSPENDED
    return Status.RUNNING


def status(
    cal: BusinessCalendar,
    received: date,
    days: int,
    as_of: date,
    suspensions: Sequence[Suspension] = (),
) -> Status:
    validate(received, days, suspensions)
    return _status(elapsed(cal, received, as_of, suspensions), days, suspensions, as_of)


def outcome(
    cal: BusinessCalendar,
    received: date,
    days: int,
    finished_on: date,
    suspensions: Sequence[Suspension] = (),
) -> Outcome:
    """Met when the clock stopped within N counted days, missed otherwise."""
    validate(received, days, suspensions)
    met = elapsed(cal, received, finished_on, suspensions) <= days
    return Outcome.MET if met else Outcome.MISSED


def compute(
    cal: BusinessCalendar,
    received: date,
    days: int,
    as_of: date,
    suspensions: Sequence[Suspension] = (),
) -> ClockResult:
    """Due date, elapsed and suspended days, and status of one clock as of a date."""
    validate(received, days, suspensions)
    counted = elapsed(cal, received, as_of, suspensions)
    return ClockResult(
        due_date=due_date(cal, received, days, suspensions),
        elapsed=counted,
        suspended_days=suspended_days(cal, received, as_of, suspensions),
        status=_status(counted, days, suspensions, as_of),
    )


def explain(
    cal: BusinessCalendar,
    received: date,
    days: int,
    as_of: date,
    suspensions: Sequence[Suspension] = (),
) -> list[ExplainedDay]:
    """Every date from reception to the due date (to `as_of` while there is none), with why it
    counts or not."""
    due = due_date(cal, received, days, suspensions)
    last = due if due is not None else max(as_of, received)
    intervals = suspended_intervals(cal, received, suspensions)
    result = [ExplainedDay(received, DayReason.RECEPTION, None, _closure_name(cal, received))]
    counted = 0
    day = received
    while day < last:
        day += timedelta(days=1)
        closure = cal.closure(day)
        if day.weekday() >= 5:
            result.append(ExplainedDay(day, DayReason.WEEKEND, None))
        elif closure is not None:
            result.append(ExplainedDay(day, DayReason.CLOSURE, None, closure.name))
        elif any(a < cal.ordinal(day) <= b for a, b in intervals):
            result.append(ExplainedDay(day, DayReason.SUSPENDED, None))
        else:
            counted += 1
            result.append(ExplainedDay(day, DayReason.COUNTED, counted))
    return result


def _closure_name(cal: BusinessCalendar, day: date) -> str | None:
    closure = cal.closure(day)
    return closure.name if closure is not None else None
