"""A slow, obviously-right reference for the counting rule: it walks the calendar day by day.

It shares nothing with the engine but the list of closure days, so a property test that compares
the two checks the ordinal arithmetic, the merging of suspensions and the batch path.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# A reference walk never goes further than this past reception.
HORIZON_DAYS = 3000


@dataclass(frozen=True)
class RefClock:
    received: date
    days: int
    suspensions: Sequence[tuple[date, date | None]]


def _business(day: date, closures: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in closures


def _suspended(clock: RefClock, day: date) -> bool:
    return any(s < day and (e is None or day <= e) for s, e in clock.suspensions)


def counts(clock: RefClock, day: date, closures: Collection[date]) -> bool:
    return day > clock.received and _business(day, closures) and not _suspended(clock, day)


def ref_due_date(clock: RefClock, closures: Collection[date]) -> date | None:
    counted = 0
    day = clock.received
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        if counts(clock, day, closures):
            counted += 1
            if counted == clock.days:
                return day
    return None  # only reachable with an open suspension


def ref_elapsed(clock: RefClock, as_of: date, closures: Collection[date]) -> int:
    total = 0
    day = clock.received + timedelta(days=1)
    while day <= as_of:
        total += counts(clock, day, closures)
        day += timedelta(days=1)
    return total


def ref_suspended_days(clock: RefClock, as_of: date, closures: Collection[date]) -> int:
    total = 0
    day = clock.received + timedelta(days=1)
    while day <= as_of:
        total += _business(day, closures) and _suspended(clock, day)
        day += timedelta(days=1)
    return total


def ref_status(clock: RefClock, as_of: date, closures: Collection[date]) -> str:
    if ref_elapsed(clock, as_of, closures) > clock.days:
        return "overdue"
    if any(s <= as_of and (e is None or as_of < e) for s, e in clock.suspensions):
        return "suspended"
    return "running"


def ref_outcome(clock: RefClock, finished_on: date, closures: Collection[date]) -> str:
    return "met" if ref_elapsed(clock, finished_on, closures) <= clock.days else "missed"


def ref_explain(
    clock: RefClock, last: date, closures: Collection[date]
) -> list[tuple[date, str, int | None]]:
    """(day, reason, number of the counted day) for every date from reception to `last`."""
    rows: list[tuple[date, str, int | None]] = [(clock.received, "reception", None)]
    counted = 0
    day = clock.received
    while day < last:
        day += timedelta(days=1)
        if day.weekday() >= 5:
            rows.append((day, "weekend", None))
        elif day in closures:
            rows.append((day, "closure", None))
        elif _suspended(clock, day):
            rows.append((day, "suspended", None))
        else:
            counted += 1
            rows.append((day, "counted", counted))
    return rows
