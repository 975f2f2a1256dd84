"""Clock figures: the numpy batch path on 1,000,000 clocks, against the day-by-day reference
and against a bare numpy.busday_count over the same arrays."""

import time
from collections.abc import Callable

import numpy as np

from bench.__main__ import emit
from guichet.clock.batch import compute_batch
from guichet.clock.calendar import BusinessCalendar
from guichet.clock.tests.reference import (
    RefClock,
    ref_due_date,
    ref_elapsed,
    ref_status,
    ref_suspended_days,
)

N_CLOCKS = 1_000_000
REFERENCE_SAMPLE = 10_000
REPEATS = 5


def make_clocks(n: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """Reception dates over 2025-2027, 30 % of clocks with one to three suspensions
    (a tenth of those still open), as-of dates up to 150 days after reception."""
    rng = np.random.default_rng(seed)
    first = np.datetime64("2025-01-01")
    received = first + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    days = rng.choice(np.array([1, 5, 15, 20, 30, 65]), n)
    as_of = received + rng.integers(0, 150, n).astype("timedelta64[D]")
    starts = np.full((n, 3), np.datetime64("NaT"), dtype="datetime64[D]")
    ends = starts.copy()
    has = rng.random(n) < 0.30
    count = rng.integers(1, 4, n)
    cursor = received.copy()
    for k in range(3):
        on = has & (count > k)
        start = cursor + rng.integers(0, 20, n).astype("timedelta64[D]")
        end = start + rng.integers(1, 30, n).astype("timedelta64[D]")
        last_open = on & (count == k + 1) & (rng.random(n) < 0.10)
        starts[on, k] = start[on]
        ends[on & ~last_open, k] = end[on & ~last_open]
        cursor = np.where(on, end, cursor)
    return {"received": received, "days": days, "as_of": as_of, "starts": starts, "ends": ends}


def _best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run() -> None:
    # 2025-2027 by the rule, which the tests prove equal to the published table.
    cal = BusinessCalendar.build({})
    c = make_clocks(N_CLOCKS)

    def batch() -> None:
        compute_batch(cal, c["received"], c["days"], c["as_of"], c["starts"], c["ends"])

    batch_s = _best(batch)
    emit("clock_batch_1m_s", batch_s, "s")

    holidays = np.array(cal.holidays(), dtype="datetime64[D]")
    cal_np = np.busdaycalendar(holidays=holidays)

    def bare() -> None:
        np.busday_count(c["received"], c["as_of"], busdaycal=cal_np)

    bare_s = _best(bare)
    emit("clock_vs_busday_count", batch_s / bare_s, "x")

    closures = frozenset(cal.closures)
    sample = [
        (
            RefClock(
                received=c["received"][i].item(),
                days=int(c["days"][i]),
                suspensions=[
                    (
                        c["starts"][i, k].item(),
                        None if np.isnat(c["ends"][i, k]) else c["ends"][i, k].item(),
                    )
                    for k in range(3)
                    if not np.isnat(c["starts"][i, k])
                ],
            ),
            c["as_of"][i].item(),
        )
        for i in range(REFERENCE_SAMPLE)
    ]
    t0 = time.perf_counter()
    for clock, as_of in sample:
        ref_due_date(clock, closures)
        ref_elapsed(clock, as_of, closures)
        ref_suspended_days(clock, as_of, closures)
        ref_status(clock, as_of, closures)
    ref_per_clock = (time.perf_counter() - t0) / REFERENCE_SAMPLE
    emit("clock_speedup_vs_reference", ref_per_clock / (batch_s / N_CLOCKS), "x")
