"""Property tests: the engine and the numpy batch path against the day-by-day reference."""

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.clock import (
    BusinessCalendar,
    CalendarRangeError,
    ClockInputError,
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
from guichet.clock.batch import OVERDUE, RUNNING, STATUS_NAMES, SUSPENDED, compute_batch
from guichet.clock.tests.conftest import CALENDAR, Clock, d
from guichet.clock.tests.reference import (
    RefClock,
    ref_due_date,
    ref_elapsed,
    ref_explain,
    ref_outcome,
    ref_status,
    ref_suspended_days,
)

FIRST_RECEPTION = date(2025, 1, 1)
LAST_RECEPTION = date(2027, 6, 30)
MAX_SUSPENSIONS = 3
NAT = np.datetime64("NaT", "D")
CLOSURES = frozenset(CALENDAR.closures)

Dates = npt.NDArray[np.datetime64]


def offsets(upper: int) -> st.SearchStrategy[int]:
    """Day offsets in 0..upper, often small so that boundaries (S == R, E == S) come up."""
    return st.one_of(st.integers(0, 3), st.integers(0, upper))


@st.composite
def clocks(draw: st.DrawFn) -> Clock:
    received = draw(st.dates(FIRST_RECEPTION, LAST_RECEPTION))
    n = draw(st.integers(1, 70))
    suspensions: list[Suspension] = []
    for _ in range(draw(st.integers(0, MAX_SUSPENSIONS))):
        # Half of the starts land next to the due date of the suspensions drawn so far: a
        # suspension starting on (or the day before, or after) the N-th counted day is the
        # boundary where an off-by-one would hide.
        due = ref_due_date(RefClock(received, n, [(x.start, x.end) for x in suspensions]), CLOSURES)
        if due is not None and draw(st.booleans()):
            start = max(received, due + timedelta(days=draw(st.integers(-1, 1))))
        else:
            start = received + timedelta(days=draw(offsets(120)))
        # About one in five still open.
        is_open = draw(st.integers(0, 4)) == 0
        end = None if is_open else start + timedelta(days=draw(offsets(60)))
        suspensions.append(Suspension(start, end))
    # Drawn in any order: not sorted, possibly overlapping.
    return Clock(received, n, tuple(suspensions))


@st.composite
def clocks_with_as_of(draw: st.DrawFn) -> tuple[Clock, date]:
    c = draw(clocks())
    # As-of within 0..200 days of reception, often on a suspension's boundary.
    boundaries = [s.start for s in c.suspensions] + [s.end for s in c.suspensions if s.end]
    near = [
        b + timedelta(days=k)
        for b in boundaries
        for k in (-1, 0, 1)
        if 0 <= (b + timedelta(days=k) - c.received).days <= 200
    ]
    options = [st.integers(0, 200).map(lambda k: c.received + timedelta(days=k))]
    if near:
        options.append(st.sampled_from(near))
    as_of = draw(st.one_of(options))
    return c, as_of


def expected(cal: BusinessCalendar, c: Clock, as_of: date) -> tuple[date | None, int, int, str]:
    ref = c.ref()
    return (
        ref_due_date(ref, cal.closures),
        ref_elapsed(ref, as_of, cal.closures),
        ref_suspended_days(ref, as_of, cal.closures),
        ref_status(ref, as_of, cal.closures),
    )


# --- The scalar engine ----------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(case=clocks_with_as_of())
def test_engine_matches_the_reference(cal: BusinessCalendar, case: tuple[Clock, date]) -> None:
    c, as_of = case
    ref = c.ref()
    due, counted, held, state = expected(cal, c, as_of)
    result = compute(cal, c.received, c.days, as_of, c.suspensions)
    assert (result.due_date, result.elapsed, result.suspended_days, result.status) == (
        due,
        counted,
        held,
        state,
    )
    assert due_date(cal, c.received, c.days, c.suspensions) == due
    assert elapsed(cal, c.received, as_of, c.suspensions) == counted
    assert suspended_days(cal, c.received, as_of, c.suspensions) == held
    assert status(cal, c.received, c.days, as_of, c.suspensions) == state
    assert outcome(cal, c.received, c.days, as_of, c.suspensions) == ref_outcome(
        ref, as_of, cal.closures
    )


@settings(max_examples=150, deadline=None)
@given(case=clocks_with_as_of())
def test_explain_matches_the_reference(cal: BusinessCalendar, case: tuple[Clock, date]) -> None:
    c, as_of = case
    ref = c.ref()
    due = ref_due_date(ref, cal.closures)
    last = due if due is not None else max(as_of, c.received)
    days = explain(cal, c.received, c.days, as_of, c.suspensions)
    assert [(x.day, x.reason, x.counted) for x in days] == ref_explain(ref, last, cal.closures)
    for x in days:
        closure = cal.closures.get(x.day)
        if x.reason == "closure" or x.reason == "reception":
            assert x.closure == (closure.name if closure else None)
        else:
            assert x.closure is None
    if due is not None:
        assert days[-1].counted == c.days


@settings(max_examples=100, deadline=None)
@given(case=clocks_with_as_of())
def test_due_date_is_the_first_day_elapsed_reaches_n(
    cal: BusinessCalendar, case: tuple[Clock, date]
) -> None:
    c, _ = case
    due = due_date(cal, c.received, c.days, c.suspensions)
    if due is None:
        return
    assert elapsed(cal, c.received, due, c.suspensions) == c.days
    assert elapsed(cal, c.received, due - timedelta(days=1), c.suspensions) == c.days - 1
    assert outcome(cal, c.received, c.days, due, c.suspensions) == "met"
    assert status(cal, c.received, c.days, due, c.suspensions) != "overdue"


# --- The numpy batch path -------------------------------------------------------------------


def to_arrays(
    cs: Sequence[Clock], width: int, columns: Sequence[Sequence[int]]
) -> tuple[Dates, npt.NDArray[np.int64], Dates, Dates]:
    """Received, days, and (n, width) starts and ends: clock i's j-th suspension goes to column
    columns[i][j]; every other cell is NaT (absent)."""
    received = np.array([c.received for c in cs], dtype="datetime64[D]")
    days = np.array([c.days for c in cs], dtype=np.int64)
    starts = np.full((len(cs), width), NAT, dtype="datetime64[D]")
    ends = np.full((len(cs), width), NAT, dtype="datetime64[D]")
    for i, c in enumerate(cs):
        for s, k in zip(c.suspensions, columns[i], strict=False):
            starts[i, k] = np.datetime64(s.start, "D")
            if s.end is not None:
                ends[i, k] = np.datetime64(s.end, "D")
    return received, days, starts, ends


def as_dates(values: Dates) -> list[date | None]:
    """datetime64[D] values as dates, NaT as None."""
    dates: list[date | None] = values.tolist()
    return dates


def as_days(values: Dates) -> list[date]:
    """datetime64[D] values with no NaT, as dates."""
    days: list[date] = values.tolist()
    return days


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Clock], list[date], int, list[list[int]]]:
    cs = draw(st.lists(clocks(), min_size=1, max_size=50))
    as_of = [c.received + timedelta(days=draw(st.integers(0, 200))) for c in cs]
    width = draw(st.integers(max(len(c.suspensions) for c in cs), MAX_SUSPENSIONS + 2))
    # Each clock's suspensions land in a random set of columns, absent columns anywhere.
    columns = [draw(st.permutations(range(width))) for _ in cs]
    return cs, as_of, width, columns


@settings(max_examples=60, deadline=None)
@given(batch=batches())
def test_batch_matches_the_reference(
    cal: BusinessCalendar, batch: tuple[list[Clock], list[date], int, list[list[int]]]
) -> None:
    cs, as_of, width, columns = batch
    received, days, starts, ends = to_arrays(cs, width, columns)
    as_of_array = np.array(as_of, dtype="datetime64[D]")
    if width:
        result = compute_batch(cal, received, days, as_of_array, starts, ends)
    else:
        result = compute_batch(cal, received, days, as_of_array)
    refs = [expected(cal, c, a) for c, a in zip(cs, as_of, strict=True)]
    assert as_dates(result.due_date) == [r[0] for r in refs]
    assert result.elapsed.tolist() == [r[1] for r in refs]
    assert result.suspended_days.tolist() == [r[2] for r in refs]
    assert [STATUS_NAMES[k] for k in result.status.tolist()] == [r[3] for r in refs]


@settings(max_examples=20, deadline=None)
@given(
    cs=st.lists(clocks(), min_size=1, max_size=20), as_of=st.dates(FIRST_RECEPTION, LAST_RECEPTION)
)
def test_batch_with_one_as_of_date(cal: BusinessCalendar, cs: list[Clock], as_of: date) -> None:
    columns = [list(range(MAX_SUSPENSIONS))[::-1] for _ in cs]  # right to left
    received, days, starts, ends = to_arrays(cs, MAX_SUSPENSIONS, columns)
    result = compute_batch(cal, received, days, np.datetime64(as_of, "D"), starts, ends)
    refs = [expected(cal, c, as_of) for c in cs]
    assert as_dates(result.due_date) == [r[0] for r in refs]
    assert result.elapsed.tolist() == [r[1] for r in refs]
    assert result.suspended_days.tolist() == [r[2] for r in refs]
    assert [STATUS_NAMES[k] for k in result.status.tolist()] == [r[3] for r in refs]


def test_status_codes() -> None:
    assert (RUNNING, SUSPENDED, OVERDUE) == (0, 1, 2)
    assert STATUS_NAMES == (Status.RUNNING, Status.SUSPENDED, Status.OVERDUE)


def test_batch_worked_example(cal: BusinessCalendar) -> None:
    # The worked example without and with its suspension, and a clock received on Mon
    # 2027-01-04 (a closure day) held from Wed 6 by an open suspension: Tue 5 (1), Wed 6 (2),
    # Thu 7, Fri 8 and Mon 11 held.
    received = np.array(["2026-12-18", "2026-12-18", "2027-01-04"], dtype="datetime64[D]")
    days = np.array([20, 20, 10])
    starts = np.array(
        [["NaT", "NaT"], ["NaT", "2027-01-05"], ["2027-01-06", "NaT"]], dtype="datetime64[D]"
    )
    ends = np.array([["NaT", "NaT"], ["NaT", "2027-01-12"], ["NaT", "NaT"]], dtype="datetime64[D]")
    result = compute_batch(cal, received, days, np.datetime64("2027-01-11"), starts, ends)
    assert as_dates(result.due_date) == [d("2027-01-25"), d("2027-02-01"), None]
    assert result.elapsed.tolist() == [10, 6, 2]
    assert result.suspended_days.tolist() == [0, 4, 3]
    assert result.status.tolist() == [RUNNING, SUSPENDED, SUSPENDED]
    # On S itself (2027-01-05) the second clock is suspended; the third starts on Jan 6.
    on_start = compute_batch(cal, received, days, np.datetime64("2027-01-05"), starts, ends)
    assert on_start.status.tolist() == [RUNNING, SUSPENDED, RUNNING]
    assert on_start.elapsed.tolist() == [6, 6, 1]
    assert on_start.suspended_days.tolist() == [0, 0, 0]


def test_batch_suspension_starting_on_the_due_date(cal: BusinessCalendar) -> None:
    # Mon 2026-03-02, 5 days, due Mon 9 without suspension. Starting on Mon 9 (S counts)
    # leaves it there; starting on Fri 6 (4) holds Mon 9 and Tue 10, then Wed 11 (5).
    received = np.array(["2026-03-02"] * 3, dtype="datetime64[D]")
    starts = np.array(
        [["NaT", "2026-03-09"], ["2026-03-06", "NaT"], ["NaT", "NaT"]], dtype="datetime64[D]"
    )
    ends = np.array(
        [["NaT", "2026-03-10"], ["2026-03-10", "NaT"], ["NaT", "NaT"]], dtype="datetime64[D]"
    )
    result = compute_batch(
        cal, received, np.array([5, 5, 5]), np.datetime64("2026-03-10"), starts, ends
    )
    assert as_dates(result.due_date) == [d("2026-03-09"), d("2026-03-11"), d("2026-03-09")]
    assert result.elapsed.tolist() == [5, 4, 6]
    assert result.suspended_days.tolist() == [1, 2, 0]
    assert result.status.tolist() == [RUNNING, RUNNING, OVERDUE]


def test_batch_of_nothing(cal: BusinessCalendar) -> None:
    empty = np.array([], dtype="datetime64[D]")
    result = compute_batch(cal, empty, np.array([], dtype=np.int64), np.datetime64("2026-03-02"))
    assert result.due_date.shape == (0,)
    assert result.elapsed.tolist() == []


def test_batch_equals_the_engine_on_a_large_sample(cal: BusinessCalendar) -> None:
    rng = np.random.default_rng(20261218)
    n, width = 20_000, 3
    span = (LAST_RECEPTION - FIRST_RECEPTION).days
    received = np.datetime64(FIRST_RECEPTION, "D") + rng.integers(0, span + 1, n).astype(
        "timedelta64[D]"
    )
    days = rng.integers(1, 71, n)
    as_of = received + rng.integers(0, 201, n).astype("timedelta64[D]")
    start = received[:, None] + rng.integers(0, 121, (n, width)).astype("timedelta64[D]")
    end = start + rng.integers(0, 61, (n, width)).astype("timedelta64[D]")
    present = rng.random((n, width)) < 0.35
    is_open = rng.random((n, width)) < 0.15
    starts = np.where(present, start, NAT)
    ends = np.where(present & ~is_open, end, NAT)

    result = compute_batch(cal, received, days, as_of, starts, ends)

    due_dates: list[date | None] = []
    elapsed_days: list[int] = []
    held_days: list[int] = []
    states: list[Status] = []
    rows = zip(
        as_days(received),
        days.tolist(),
        as_days(as_of),
        starts.tolist(),
        ends.tolist(),
        strict=True,
    )
    for r, n_days, a, row_starts, row_ends in rows:
        suspensions = [
            Suspension(s, e) for s, e in zip(row_starts, row_ends, strict=True) if s is not None
        ]
        one = compute(cal, r, n_days, a, suspensions)
        due_dates.append(one.due_date)
        elapsed_days.append(one.elapsed)
        held_days.append(one.suspended_days)
        states.append(one.status)
    assert as_dates(result.due_date) == due_dates
    assert result.elapsed.tolist() == elapsed_days
    assert result.suspended_days.tolist() == held_days
    assert [STATUS_NAMES[k] for k in result.status.tolist()] == states
    # The sample exercises every branch.
    assert {RUNNING, SUSPENDED, OVERDUE} <= set(result.status.tolist())
    assert np.isnat(result.due_date).any()


# --- Batch input errors ---------------------------------------------------------------------


def _batch(
    received: list[str], starts: list[list[str]], ends: list[list[str]]
) -> tuple[Dates, npt.NDArray[np.int64], Dates, Dates]:
    return (
        np.array(received, dtype="datetime64[D]"),
        np.full(len(received), 5, dtype=np.int64),
        np.array(starts, dtype="datetime64[D]"),
        np.array(ends, dtype="datetime64[D]"),
    )


# Two valid clocks around the one under test, whose bad suspension sits in the last column.
VALID_STARTS = ["2026-03-03", "NaT", "NaT"]
VALID_ENDS = ["2026-03-10", "NaT", "NaT"]


def test_batch_refuses_a_suspension_before_reception(cal: BusinessCalendar) -> None:
    received, days, starts, ends = _batch(
        ["2026-03-02", "2026-03-02", "2026-03-02"],
        [VALID_STARTS, ["NaT", "2026-03-05", "2026-03-01"], VALID_STARTS],
        [VALID_ENDS, ["NaT", "2026-03-06", "2026-03-04"], VALID_ENDS],
    )
    with pytest.raises(ClockInputError, match="avant la réception"):
        compute_batch(cal, received, days, np.datetime64("2026-04-01"), starts, ends)


def test_batch_refuses_an_open_suspension_before_reception(cal: BusinessCalendar) -> None:
    received, days, starts, ends = _batch(
        ["2026-03-02", "2026-03-02"],
        [VALID_STARTS, ["NaT", "NaT", "2026-02-27"]],
        [VALID_ENDS, ["NaT", "NaT", "NaT"]],
    )
    with pytest.raises(ClockInputError, match="avant la réception"):
        compute_batch(cal, received, days, np.datetime64("2026-04-01"), starts, ends)


def test_batch_refuses_an_end_before_start(cal: BusinessCalendar) -> None:
    received, days, starts, ends = _batch(
        ["2026-03-02", "2026-03-02", "2026-03-02"],
        [VALID_STARTS, ["NaT", "2026-03-03", "2026-03-05"], VALID_STARTS],
        [VALID_ENDS, ["NaT", "2026-03-06", "2026-03-04"], VALID_ENDS],
    )
    with pytest.raises(ClockInputError, match="avant son début"):
        compute_batch(cal, received, days, np.datetime64("2026-04-01"), starts, ends)


def test_batch_refuses_n_below_one(cal: BusinessCalendar) -> None:
    received = np.array(["2026-03-02"], dtype="datetime64[D]")
    with pytest.raises(ClockInputError):
        compute_batch(cal, received, np.array([0]), np.datetime64("2026-04-01"))


@pytest.mark.parametrize(
    ("received", "as_of", "start", "end"),
    [
        ("1969-12-31", "2026-04-01", "NaT", "NaT"),
        ("NaT", "2026-04-01", "NaT", "NaT"),  # a missing reception date
        ("2026-03-02", "1969-12-31", "NaT", "NaT"),
        ("2026-03-02", "2101-01-01", "NaT", "NaT"),
        ("2026-03-02", "2026-04-01", "2026-03-03", "2101-01-01"),
    ],
)
def test_batch_dates_outside_the_calendar(
    cal: BusinessCalendar, received: str, as_of: str, start: str, end: str
) -> None:
    r, days, starts, ends = _batch(
        ["2026-03-02", received],
        [VALID_STARTS, [start, "NaT", "NaT"]],
        [VALID_ENDS, [end, "NaT", "NaT"]],
    )
    as_of_array = np.array(["2026-04-01", as_of], dtype="datetime64[D]")
    with pytest.raises(CalendarRangeError):
        compute_batch(cal, r, days, as_of_array, starts, ends)


def test_batch_due_date_outside_the_calendar(cal: BusinessCalendar) -> None:
    received = np.array(["2100-12-01"], dtype="datetime64[D]")
    with pytest.raises(CalendarRangeError):
        compute_batch(cal, received, np.array([70]), np.datetime64("2100-12-01"))
