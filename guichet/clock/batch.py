"""The counting rule over numpy arrays: due date, elapsed and status for millions of clocks.

Same rule and same ordinals as `engine.py`, one array operation per step instead of one Python
call per clock. Dates are `datetime64[D]` arrays; suspensions come as two (n, k) arrays of
starts and ends, where a NaT start means "no suspension in this column" and a NaT end under a
real start means "still open". Columns need not be in date order.

Only the clocks that have a suspension go through the suspension steps (about a third in
practice), and each step is a whole-array operation on int64 day numbers.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from guichet.clock.calendar import BusinessCalendar, CalendarRangeError
from guichet.clock.engine import ClockInputError, Status

# Status codes in `BatchResult.status`, in the order of `STATUS_NAMES`.
RUNNING, SUSPENDED, OVERDUE = 0, 1, 2
STATUS_NAMES = (Status.RUNNING, Status.SUSPENDED, Status.OVERDUE)

_OPEN = np.int64(1 << 40)  # the end ordinal of an open suspension
_NAT = np.iinfo(np.int64).min  # NaT's integer value in datetime64

Dates = npt.NDArray[np.datetime64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BatchResult:
    due_date: Dates  # NaT while an open suspension holds the clock
    elapsed: Ints
    suspended_days: Ints
    status: npt.NDArray[np.int8]  # RUNNING, SUSPENDED or OVERDUE


def compute_batch(
    cal: BusinessCalendar,
    received: Dates,
    days: npt.NDArray[np.integer],
    as_of: Dates | np.datetime64,
    suspension_starts: Dates | None = None,
    suspension_ends: Dates | None = None,
    *,
    validate: bool = True,
) -> BatchResult:
    """Compute every clock at once. `as_of` is one date or one per clock."""
    r = _day_numbers(cal, received)
    n = r.shape[0]
    a = _day_numbers(cal, np.broadcast_to(np.asarray(as_of, dtype="datetime64[D]"), (n,)))
    n_days = np.asarray(days, dtype=np.int64)
    if validate and n and n_days.min() < 1:
        raise ClockInputError("le délai doit être d'au moins 1 jour")

    ordinals = cal.ordinals
    o_r = ordinals[r]
    o_a = ordinals[a]
    target = o_r + n_days
    counted = o_a - o_r
    np.maximum(counted, 0, out=counted)
    covered = np.zeros(n, dtype=np.int64)
    suspended_now = np.zeros(n, dtype=bool)

    if suspension_starts is not None and suspension_ends is not None and n:
        starts = np.asarray(suspension_starts, dtype="datetime64[D]").reshape(n, -1)
        ends = np.asarray(suspension_ends, dtype="datetime64[D]").reshape(n, -1)
        s = starts.view(np.int64)
        has = s[:, 0] != _NAT
        for k in range(1, s.shape[1]):
            has |= s[:, k] != _NAT
        rows = np.flatnonzero(has)
        if rows.size:
            tgt, cov, now = _suspended(
                cal,
                s[rows],
                ends.view(np.int64)[rows],
                r[rows],
                a[rows],
                o_r[rows],
                o_a[rows],
                target[rows],
                validate=validate,
            )
            target[rows] = tgt
            covered[rows] = cov
            suspended_now[rows] = now
            counted -= covered

    has_due = target < _OPEN
    if n and target[has_due].max(initial=0) > cal.business_offsets.shape[0]:
        raise CalendarRangeError("a due date falls outside the calendar")
    due = np.full(n, _NAT, dtype=np.int64)
    due[has_due] = cal.business_offsets[target[has_due] - 1]

    status = suspended_now.astype(np.int8)  # RUNNING = 0, SUSPENDED = 1
    status[counted > n_days] = OVERDUE
    return BatchResult(
        due_date=due.view("datetime64[D]"),
        elapsed=counted,
        suspended_days=covered,
        status=status,
    )


def _day_numbers(cal: BusinessCalendar, dates: Dates) -> Ints:
    """Days since 1970-01-01 (the calendar's first day), checked to lie within the calendar."""
    days = np.asarray(dates, dtype="datetime64[D]").view(np.int64)
    _check_range(cal, days)
    return days


def _check_range(cal: BusinessCalendar, days: Ints) -> None:
    if days.size and (days.min() < 0 or days.max() >= cal.ordinals.shape[0]):
        raise CalendarRangeError(
            f"a date is missing or outside the calendar ({cal.first_day.isoformat()} to "
            f"{cal.last_day.isoformat()})"
        )


def _suspended(
    cal: BusinessCalendar,
    s: Ints,
    e: Ints,
    r: Ints,
    a: Ints,
    o_r: Ints,
    o_a: Ints,
    target: Ints,
    *,
    validate: bool,
) -> tuple[Ints, Ints, Bools]:
    """For clocks with suspensions (day numbers, (m, k)): shifted due ordinals, suspended days
    up to as-of, and whether each clock is suspended on its as-of date."""
    ordinals = cal.ordinals
    width = s.shape[1]
    lo_cols: list[Ints] = []
    hi_cols: list[Ints] = []
    now = np.zeros(s.shape[0], dtype=bool)
    for k in range(width):
        s_k, e_k = s[:, k], e[:, k]
        absent = s_k == _NAT
        is_open = (e_k == _NAT) & ~absent
        if validate:
            if (~absent & (s_k < r)).any():
                raise ClockInputError("une suspension commence avant la réception")
            if (~absent & ~is_open & (e_k < s_k)).any():
                raise ClockInputError("une suspension finit avant son début")
        s_idx = np.where(absent, r, s_k)
        e_idx = np.where(absent | is_open, r, e_k)
        _check_range(cal, s_idx)
        _check_range(cal, e_idx)
        # Covered business days are the ordinals in (lo, hi].
        lo = np.maximum(ordinals[s_idx], o_r)
        hi = ordinals[e_idx]
        hi[is_open] = _OPEN
        lo[absent] = _OPEN
        hi[absent] = _OPEN
        lo_cols.append(lo)
        hi_cols.append(hi)
        now |= ~absent & (s_k <= a) & (is_open | (a < e_k))

    # Odd-even transposition sort of each clock's intervals by start: `width` rounds of
    # compare-and-swap between neighbouring columns sorts any order.
    for round_ in range(width):
        for j in range(round_ % 2, width - 1, 2):
            swap = lo_cols[j + 1] < lo_cols[j]
            if swap.any():
                for cols in (lo_cols, hi_cols):
                    first = np.where(swap, cols[j + 1], cols[j])
                    cols[j + 1] = np.where(swap, cols[j], cols[j + 1])
                    cols[j] = first

    # Sweep in start order: the part of an interval beyond the furthest end so far is new
    # suspended time, which merges overlapping and back-to-back suspensions.
    covered = np.zeros(s.shape[0], dtype=np.int64)
    reach = o_r.copy()
    for lo, hi in zip(lo_cols, hi_cols, strict=True):
        lo = np.maximum(lo, reach)
        real = hi > lo
        covered += np.where(real, np.maximum(np.minimum(hi, o_a) - lo, 0), 0)
        pushes = real & (lo < target)
        target = np.where(pushes, np.where(hi >= _OPEN, _OPEN, target + (hi - lo)), target)
        np.maximum(reach, np.where(real, hi, reach), out=reach)
    return target, covered, now
