"""Every clock of many dossiers at once, from their events: the one source of every figure.

The rule is the one of `guichet/dossiers/clocks.py` (`derive_clocks`), applied to whole arrays:

- a dossier has one clock per business-day commitment of its service in force on its date of
  reception;
- the clock starts on the commitment's start event (the date of reception for `received`, else
  the first such event in the history) and stops on the first stop event, in history order,
  dated on or after the start;
- it is suspended from each incompleteness notice to the next items-received event (clipped to
  the clock's start, open while no items have come);
- a withdrawn or closed dossier ends its clocks that never stopped: neither met nor missed.

Two queries read what this needs (the dossiers, and their clock events as day numbers), then
numpy does the rest: no Python loop over dossiers or events, only over the few commitments. The
counting itself is `guichet.clock.batch.compute_batch`, the engine's own batch path, so a figure
and the dossier page always agree. On PostgreSQL the rows come through a binary COPY read
straight into numpy; SQLite (the embedded database) fetches the same rows normally.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, connections, models

from guichet.catalogue.models import ClockEvent, Commitment, CommitmentUnit
from guichet.clock import BusinessCalendar
from guichet.clock.batch import compute_batch
from guichet.dossiers.models import OPEN_STATES, Channel, Dossier, DossierEvent, EventKind

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# "No date": NaT's integer value, so that a day-number array views as datetime64[D] directly.
NONE = np.iinfo(np.int64).min
EPOCH = date(1970, 1, 1)

# Event kinds the clocks read, as small integers (0 is reception, which is the dossier's date):
# the clock events of the catalogue that dossiers record, suspensions and endings.
RECEIVED = 0
_KINDS = [
    *(k for k in ClockEvent.values if k in EventKind.values and k != EventKind.RECEIVED),
    EventKind.INCOMPLETENESS_NOTICE,
    EventKind.ITEMS_RECEIVED,
    EventKind.WITHDRAWN,
    EventKind.CLOSED,
]
KIND = {str(kind): i + 1 for i, kind in enumerate(_KINDS)}
NOTICE = KIND[EventKind.INCOMPLETENESS_NOTICE]
ITEMS = KIND[EventKind.ITEMS_RECEIVED]
DECIDED = KIND[EventKind.DECIDED]
ENDINGS = (KIND[EventKind.WITHDRAWN], KIND[EventKind.CLOSED])

CHANNELS = list(Channel.values)  # channel code i + 1 in the table; 0 for an unknown value

# What became of a clock.
STOPPED, RUNNING, ENDED = 0, 1, 2

# The pseudo-commitment of processing times: from reception to the decision, for every dossier.
PROCESSING = 0


def day_number(day: date) -> int:
    return (day - EPOCH).days


def months_of(days: Ints) -> Ints:
    """Months since January 1970 of day numbers."""
    months: Ints = days.view("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months


def day_of(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(number))


@dataclass(frozen=True)
class Spec:
    """One commitment as the computation needs it."""

    id: int
    service: int | None  # None: every dossier (the processing pseudo-commitment)
    target: int
    starts_on: int  # RECEIVED or a KIND code
    stops_on: int
    first: int  # day numbers of the period of reception it governs
    last: int
    at_risk_day: int

    @classmethod
    def of(cls, c: Commitment) -> Spec:
        percent: int = settings.GUICHET_AT_RISK_PERCENT
        return cls(
            id=c.pk,
            service=c.service_id,
            target=c.target,
            # An event dossiers never record (a telephone queue) never starts or stops a clock.
            starts_on=RECEIVED if c.starts_on == ClockEvent.RECEIVED else KIND.get(c.starts_on, -1),
            stops_on=KIND.get(c.stops_on, -1),
            first=day_number(c.in_force_from),
            last=day_number(c.in_force_to) if c.in_force_to else np.iinfo(np.int64).max,
            # Same as guichet.dossiers.clocks.at_risk_day_number.
            at_risk_day=max(1, c.target - math.floor(c.target * percent / 100)),
        )


PROCESSING_SPEC = Spec(
    id=PROCESSING,
    service=None,
    target=1,
    starts_on=RECEIVED,
    stops_on=DECIDED,
    first=np.iinfo(np.int64).min + 1,
    last=np.iinfo(np.int64).max,
    at_risk_day=1,
)


def commitment_specs() -> list[Spec]:
    """Every business-day commitment of every version: the clocks a dossier can have."""
    commitments = Commitment.objects.filter(unit=CommitmentUnit.BUSINESS_DAYS).order_by("pk")
    return [Spec.of(c) for c in commitments]


@dataclass(frozen=True)
class ClockTable:
    """One row per clock, as parallel arrays. Days are day numbers since 1970-01-01 (NONE for
    no date); `elapsed` is counted business days on the stop day for a stopped clock, on the
    end for an ended one and on `as_of` for a running one."""

    dossier: Ints
    commitment: Ints  # PROCESSING for the processing pseudo-clock
    service: Ints
    unit: Ints
    channel: Ints
    received: Ints
    start: Ints
    stop: Ints  # the stop event's day (NONE unless STOPPED)
    stop_month: Ints  # months since January 1970 of the stop day (-1 unless STOPPED)
    outcome: Ints  # STOPPED, RUNNING or ENDED
    open: Bools  # the dossier is in an open state
    elapsed: Ints
    target: Ints
    met: Bools  # stopped within the target
    status: Ints  # compute_batch status on as_of (running, suspended, overdue)
    at_risk: Bools  # at least the at-risk day is counted (running clocks)
    due: Ints  # due date (NONE while an open suspension holds it)

    def __len__(self) -> int:
        return int(self.dossier.shape[0])

    def take(self, rows: npt.NDArray[np.integer] | Bools) -> ClockTable:
        return ClockTable(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def without_dossiers(self, dossiers: Ints) -> ClockTable:
        return self.take(~np.isin(self.dossier, dossiers))

    @classmethod
    def concat(cls, tables: Sequence[ClockTable]) -> ClockTable:
        return cls(
            **{f.name: np.concatenate([getattr(t, f.name) for t in tables]) for f in fields(cls)}
        )

    @classmethod
    def empty(cls) -> ClockTable:
        flags = {"open", "met", "at_risk"}
        return cls(
            **{
                f.name: np.zeros(0, dtype=bool if f.name in flags else np.int64)
                for f in fields(cls)
            }
        )


# ---------------------------------------------------------------------------------------------
# Reading the rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which dossiers to read (all when every field is None)."""

    received_until: date | None = None
    units: tuple[int, ...] | None = None
    dossiers: tuple[int, ...] | None = None
    # Read the events up to this one only (events are append-only and numbered): figures
    # computed "as of" a data stamp stay the same while new events arrive.
    events_until: int | None = None

    def where(self, alias: str) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        if self.received_until is not None:
            parts.append(f"{alias}.received_on <= %s")
            params.append(self.received_until)
        if self.units is not None:
            parts.append(f"{alias}.unit_id IN ({', '.join(['%s'] * len(self.units))})")
            params.extend(self.units)
        if self.dossiers is not None:
            parts.append(f"{alias}.id IN ({', '.join(['%s'] * len(self.dossiers))})")
            params.extend(self.dossiers)
        return " AND ".join(parts) or "1 = 1", params

    @property
    def narrow(self) -> bool:
        """Narrow enough that events are better filtered by dossier in the database."""
        return self.units is not None or self.dossiers is not None


def _day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _case(column: str, codes: dict[str, int]) -> str:
    # Only the project's own constants go into this SQL, never user input.
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"CASE {column} {whens} ELSE 0 END"


def dossiers_sql(scope: Scope) -> tuple[str, list[Any]]:
    where, params = scope.where("d")
    channels = {c: i + 1 for i, c in enumerate(CHANNELS)}
    open_states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    sql = (
        "SELECT d.id, d.service_id, d.unit_id, "  # noqa: S608 (constants only)
        f"{_case('d.channel', channels)}, {_day_sql('d.received_on')}, "
        f"CASE WHEN d.state IN ({open_states}) THEN 1 ELSE 0 END "
        f"FROM {_table(Dossier)} d WHERE {where}"
    )
    return sql, params


def events_sql(scope: Scope) -> tuple[str, list[Any]]:
    kinds = ", ".join(f"'{k}'" for k in KIND)
    sql = (
        "SELECT e.dossier_id, e.seq, "  # noqa: S608 (constants only)
        f"{_case('e.kind', KIND)}, {_day_sql('e.occurred_on')} "
        f"FROM {_table(DossierEvent)} e WHERE e.kind IN ({kinds})"
    )
    params: list[Any] = []
    if scope.events_until is not None:
        sql += " AND e.id <= %s"
        params.append(scope.events_until)
    if scope.narrow:
        where, more = scope.where("d")
        sql += f" AND e.dossier_id IN (SELECT d.id FROM {_table(Dossier)} d WHERE {where})"  # noqa: S608
        params += more
    return sql, params


def fetch(sql: str, params: Sequence[Any], width: int, packed: str = "") -> Ints:
    """The rows of `sql` (`width` integer columns, none null) as an int64 array.

    On SQLite, the array is (n, width). On PostgreSQL, `packed` (an expression over the columns
    c0, c1...) packs each row into a few bigints (`int8send(a) || int8send(b)`), and the
    database returns all rows as one bytea of fixed-size records that numpy reads in place: a
    million rows in one value instead of a million Python tuples. The array is then flat, and
    the caller unpacks it.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return np.array(rows, dtype=np.int64).reshape(len(rows), width)
    import psycopg

    columns = ", ".join(f"c{i}" for i in range(width))
    statement = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q ({columns})"  # noqa: S608
    connection.ensure_connection()
    # Django's cursors bind parameters client-side and read text; a plain psycopg cursor on the
    # same connection (same transaction) reads the bytea as bytes.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, list(params), binary=True)
        row = cursor.fetchone()
    data = bytes(row[0]) if row and row[0] is not None else b""
    return np.frombuffer(data, dtype=">i8").astype(np.int64)


# Packing for PostgreSQL: ids below 2**32, day numbers shifted to be non-negative.
_HIGH = 1 << 32
_SHIFT = 1 << 31
_DOSSIER_PACK = (
    f"int8send(c0::bigint) || int8send(c1::bigint * {_HIGH} + c2::bigint) || "
    f"int8send((c3::bigint * 2 + c5) * {_HIGH} + c4 + {_SHIFT})"
)
_EVENT_PACK = (
    f"int8send(c0::bigint * {_HIGH} + c1) || int8send(c2::bigint * {_HIGH} + c3 + {_SHIFT})"
)


def _dossier_rows(scope: Scope) -> Ints:
    sql, params = dossiers_sql(scope)
    if connection.vendor != "postgresql":
        return fetch(sql, params, 6)
    raw = fetch(sql, params, 6, _DOSSIER_PACK).reshape(-1, 3)
    rows = np.empty((raw.shape[0], 6), dtype=np.int64)
    rows[:, 0] = raw[:, 0]
    rows[:, 1], rows[:, 2] = np.divmod(raw[:, 1], _HIGH)
    flags, rows[:, 4] = np.divmod(raw[:, 2], _HIGH)
    rows[:, 4] -= _SHIFT
    rows[:, 3], rows[:, 5] = np.divmod(flags, 2)
    return rows


def _event_rows(scope: Scope) -> Ints:
    sql, params = events_sql(scope)
    if connection.vendor != "postgresql":
        return fetch(sql, params, 4)
    raw = fetch(sql, params, 4, _EVENT_PACK).reshape(-1, 2)
    rows = np.empty((raw.shape[0], 4), dtype=np.int64)
    rows[:, 0], rows[:, 1] = np.divmod(raw[:, 0], _HIGH)
    rows[:, 2], rows[:, 3] = np.divmod(raw[:, 1], _HIGH)
    rows[:, 3] -= _SHIFT
    return rows


def _concurrently(first: Callable[[], Ints], second: Callable[[], Ints]) -> tuple[Ints, Ints]:
    """`first` in a thread, on that thread's own database connection, while `second` runs here.

    Only outside a transaction: the other connection would not see what this one has not
    committed."""
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = first()
        except BaseException as exc:  # re-raised below, in the caller's thread
            result["error"] = exc
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=work, name="guichet-reports-read")
    thread.start()
    try:
        other = second()
    finally:
        thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"], other


@dataclass(frozen=True)
class Dossiers:
    id: Ints
    service: Ints
    unit: Ints
    channel: Ints
    received: Ints
    open: Bools


@dataclass(frozen=True)
class Events:
    dossier: Ints  # index into Dossiers, not the primary key
    kind: Ints
    day: Ints


def read(scope: Scope) -> tuple[Dossiers, Events]:
    """The dossiers of `scope` and their clock events (in history order), as arrays."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block and not scope.narrow:
        # Both queries at once, on two connections: the database has a core for each.
        rows, ev = _concurrently(lambda: _dossier_rows(scope), lambda: _event_rows(scope))
    else:
        rows, ev = _dossier_rows(scope), _event_rows(scope)
    order = np.argsort(rows[:, 0], kind="stable")
    rows = rows[order]
    dossiers = Dossiers(
        id=rows[:, 0].copy(),
        service=rows[:, 1].copy(),
        unit=rows[:, 2].copy(),
        channel=rows[:, 3].copy(),
        received=rows[:, 4].copy(),
        open=rows[:, 5] == 1,
    )
    return dossiers, events_of(dossiers, ev)


def events_of(dossiers: Dossiers, ev: Ints) -> Events:
    """Keep the events of known dossiers, in history order (dossier, then seq)."""
    n = dossiers.id.shape[0]
    if n == 0 or ev.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Events(empty, empty, empty)
    index = np.searchsorted(dossiers.id, ev[:, 0])
    known = index < n
    known[known] = dossiers.id[index[known]] == ev[known, 0]
    index, ev = index[known], ev[known]
    key = index * (1 << 31) + ev[:, 1]
    if key.shape[0] > 1 and (np.diff(key) < 0).any():
        order = np.argsort(key, kind="stable")
        index, ev = index[order], ev[order]
    return Events(dossier=index, kind=ev[:, 2].copy(), day=ev[:, 3].copy())


# ---------------------------------------------------------------------------------------------
# Computing the clocks
# ---------------------------------------------------------------------------------------------


def _first_day(events: Events, rows: Ints, n: int) -> Ints:
    """For each dossier, the day of the first of `rows` (event indexes in history order)."""
    out = np.full(n, NONE, dtype=np.int64)
    if rows.size:
        owners = events.dossier[rows]
        first = np.empty(rows.size, dtype=bool)
        first[0] = True
        np.not_equal(owners[1:], owners[:-1], out=first[1:])
        out[owners[first]] = events.day[rows[first]]
    return out


@dataclass(frozen=True)
class _Suspensions:
    """Suspensions of the dossiers that have any: (rows, k) day matrices, NONE where absent
    (start) or open (end)."""

    row_of: Ints  # dossier index -> row, -1 for none
    starts: Ints
    ends: Ints


def _suspensions(events: Events, n: int) -> _Suspensions:
    """Each incompleteness notice paired with the next items-received event, in history order
    (as `guichet.dossiers.clocks.suspensions_of`): a notice while one is pending, or items with
    none pending, change nothing."""
    rows = np.flatnonzero((events.kind == NOTICE) | (events.kind == ITEMS))
    owners, kinds, days = events.dossier[rows], events.kind[rows], events.day[rows]
    m = rows.size
    new_owner = np.ones(m, dtype=bool)
    new_owner[1:] = owners[1:] != owners[:-1]
    changed = np.ones(m, dtype=bool)
    changed[1:] = kinds[1:] != kinds[:-1]
    # The kept events alternate notice, items, notice... within each dossier, from a notice.
    keep = np.where(new_owner, kinds == NOTICE, changed)
    owners, kinds, days = owners[keep], kinds[keep], days[keep]
    notices = np.flatnonzero(kinds == NOTICE)
    after = notices + 1
    closed = after < owners.size
    closed[closed] = owners[after[closed]] == owners[notices[closed]]
    s_owner = owners[notices]
    s_start = days[notices]
    s_end = np.full(notices.size, NONE, dtype=np.int64)
    s_end[closed] = np.maximum(days[after[closed]], s_start[closed])
    row_of = np.full(n, -1, dtype=np.int64)
    if not notices.size:
        return _Suspensions(row_of, np.zeros((0, 1), np.int64), np.zeros((0, 1), np.int64))
    first = np.ones(notices.size, dtype=bool)
    first[1:] = s_owner[1:] != s_owner[:-1]
    group_start = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    column = np.arange(notices.size) - group_start[group]
    width = int(column.max()) + 1
    starts = np.full((group_start.size, width), NONE, dtype=np.int64)
    ends = np.full((group_start.size, width), NONE, dtype=np.int64)
    starts[group, column] = s_start
    ends[group, column] = s_end
    row_of[s_owner[group_start]] = np.arange(group_start.size)
    return _Suspensions(row_of, starts, ends)


def compute(
    cal: BusinessCalendar,
    dossiers: Dossiers,
    events: Events,
    specs: Iterable[Spec],
    as_of: date,
    *,
    processing: bool = False,
) -> ClockTable:
    """Every clock of `dossiers` for `specs` (plus, with `processing`, the stopped processing
    pseudo-clocks, reception to decision), counted as of `as_of` while running."""
    n = dossiers.id.shape[0]
    all_specs = [*specs, *([PROCESSING_SPEC] if processing else [])]
    if n == 0 or not all_specs:
        return ClockTable.empty()
    by_kind: dict[int, Ints] = {}

    def of_kind(kind: int) -> Ints:
        if kind not in by_kind:
            by_kind[kind] = np.flatnonzero(events.kind == kind)
        return by_kind[kind]

    ending_rows = np.flatnonzero(np.isin(events.kind, ENDINGS))
    ended_day = _first_day(events, ending_rows, n)
    first_of: dict[int, Ints] = {}
    parts: list[tuple[Spec, Ints, Ints, Ints]] = []
    for spec in all_specs:
        if spec.service is None:
            chosen = np.arange(n)
        else:
            chosen = np.flatnonzero(
                (dossiers.service == spec.service)
                & (dossiers.received >= spec.first)
                & (dossiers.received <= spec.last)
            )
        if spec.starts_on == RECEIVED:
            start = dossiers.received[chosen]
        else:
            if spec.starts_on not in first_of:
                first_of[spec.starts_on] = _first_day(events, of_kind(spec.starts_on), n)
            start = first_of[spec.starts_on][chosen]
            started = start != NONE
            chosen, start = chosen[started], start[started]
        if not chosen.size:
            continue
        # The first stop event, in history order, dated on or after this clock's start.
        start_of = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        start_of[chosen] = start
        stops = of_kind(spec.stops_on)
        stops = stops[events.day[stops] >= start_of[events.dossier[stops]]]
        stop = _first_day(events, stops, n)[chosen]
        parts.append((spec, chosen, start, stop))
    if not parts:
        return ClockTable.empty()
    return _count(cal, dossiers, ended_day, _suspensions(events, n), parts, as_of)


def _count(
    cal: BusinessCalendar,
    dossiers: Dossiers,
    ended_day: Ints,
    susp: _Suspensions,
    parts: list[tuple[Spec, Ints, Ints, Ints]],
    as_of: date,
) -> ClockTable:
    index = np.concatenate([p[1] for p in parts])
    start = np.concatenate([p[2] for p in parts])
    stop = np.concatenate([p[3] for p in parts])
    sizes = [p[1].size for p in parts]
    commitment = np.repeat([p[0].id for p in parts], sizes).astype(np.int64)
    target = np.repeat([p[0].target for p in parts], sizes).astype(np.int64)
    at_risk_day = np.repeat([p[0].at_risk_day for p in parts], sizes).astype(np.int64)

    stopped = stop != NONE
    ended = ~stopped & (ended_day[index] != NONE)
    outcome = np.full(index.size, RUNNING, dtype=np.int64)
    outcome[stopped] = STOPPED
    outcome[ended] = ENDED
    when = np.full(index.size, day_number(as_of), dtype=np.int64)
    when[stopped] = stop[stopped]
    when[ended] = ended_day[index[ended]]
    when = np.maximum(when, start)
    # The processing pseudo-clocks matter only once stopped.
    keep = stopped | (commitment != PROCESSING)
    if not keep.all():
        index, start, stop, commitment, target, at_risk_day = (
            a[keep] for a in (index, start, stop, commitment, target, at_risk_day)
        )
        outcome, when, stopped = outcome[keep], when[keep], stopped[keep]

    # Suspensions of each clock: its dossier's, clipped to its start, without those over before.
    elapsed = np.zeros(index.size, dtype=np.int64)
    status = np.zeros(index.size, dtype=np.int64)
    due = np.full(index.size, NONE, dtype=np.int64)
    row = susp.row_of[index]
    plain = np.flatnonzero(row < 0)
    if plain.size:
        result = compute_batch(
            cal,
            start[plain].view("datetime64[D]"),
            target[plain],
            when[plain].view("datetime64[D]"),
        )
        elapsed[plain] = result.elapsed
        status[plain] = result.status
        due[plain] = result.due_date.view(np.int64)
    suspended = np.flatnonzero(row >= 0)
    if suspended.size:
        s = susp.starts[row[suspended]]
        e = susp.ends[row[suspended]]
        begin = start[suspended, None]
        gone = (s == NONE) | ((e != NONE) & (e < begin))
        s = np.where(gone, NONE, np.maximum(s, begin))
        e = np.where(gone, NONE, e)
        result = compute_batch(
            cal,
            start[suspended].view("datetime64[D]"),
            target[suspended],
            when[suspended].view("datetime64[D]"),
            s.view("datetime64[D]"),
            e.view("datetime64[D]"),
        )
        elapsed[suspended] = result.elapsed
        status[suspended] = result.status
        due[suspended] = result.due_date.view(np.int64)

    return ClockTable(
        dossier=dossiers.id[index],
        commitment=commitment,
        service=dossiers.service[index],
        unit=dossiers.unit[index],
        channel=dossiers.channel[index],
        received=dossiers.received[index],
        start=start,
        stop=np.where(stopped, stop, NONE),
        stop_month=np.where(stopped, months_of(np.where(stopped, stop, 0)), -1),
        outcome=outcome,
        open=dossiers.open[index],
        elapsed=elapsed,
        target=target,
        met=stopped & (elapsed <= target),
        status=status,
        at_risk=elapsed >= at_risk_day,
        due=due,
    )


def clock_table(
    cal: BusinessCalendar, scope: Scope, as_of: date, *, processing: bool = False
) -> ClockTable:
    """Read the dossiers of `scope` and compute all their clocks."""
    dossiers, events = read(scope)
    return compute(cal, dossiers, events, commitment_specs(), as_of, processing=processing)
