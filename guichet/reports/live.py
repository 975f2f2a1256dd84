"""The live dashboard's clock table, in the database, shared by every process.

`LiveClock` holds every clock of every dossier as `reports.clocktable.clock_table` computes it
(one row per clock, the same columns), counted as of the day recorded in `LiveClockState`, with
the events up to the one recorded there. The dashboard's figures are grouped queries over it
(guichet/reports/dashboard.py): a process keeps no copy, and a request reads what its filters
select.

The table is kept current by the events without adding anything to the paths that write them:
whoever looks at the dashboard first catches up (`refresh`). Events are append-only and
numbered, so the dossiers touched since the last catch-up are those with an event numbered
above it (looking `OVERLAP` events back, for a slow transaction that committed an event with
a smaller number after it); only their rows are recomputed and replaced. A new day recounts the
dossiers that have a running clock (only a running clock's count depends on the day). A change
of the catalogue (a declaration version), of the calendar or of the at-risk share rebuilds
everything, as does an event log that went backwards (a database restored).

A catch-up holds the lock of the state row; a process that finds it held reads the table as it
is (the figures of the last catch-up, with their data stamp), unless the table was never built,
which it then waits for. `guichet dashboard-refresh` (a timer in production, deploy/systemd)
catches up ahead of the users, so that the first look of the day costs nothing.

Every catch-up reads and writes the primary database, even when the dashboard reads from a
replica (guichet/replica.py): there, the figures trail the primary by the replica's lag.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import date, datetime

import numpy as np
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from guichet.calendars.services import current_calendar
from guichet.catalogue.models import Declaration
from guichet.clock import BusinessCalendar
from guichet.clock.batch import OVERDUE
from guichet.dossiers.models import DossierEvent
from guichet.replica import on_primary
from guichet.reports import clocktable as ct
from guichet.reports.annual import DataStamp
from guichet.reports.models import LiveClock, LiveClockState

PRIMARY = "default"
STATE = 1  # the primary key of the one state row
# Events recorded below the last one applied but committed after it (a slow transaction) are
# caught by looking this many events back each time.
OVERLAP = 1_000
CHUNK = 2_000  # dossiers per query when recomputing some of them
INSERT_BATCH = 5_000

COLUMNS = tuple(f.name for f in fields(ct.ClockTable))
DATES = frozenset({"received", "start", "stop", "due"})

_rebuild_next = False


def forget() -> None:
    """The next look at the dashboard, in this process, rebuilds the whole table (tests)."""
    global _rebuild_next
    _rebuild_next = True


@dataclass(frozen=True)
class CatchUp:
    """What one catch-up did."""

    skipped: bool = False  # another process held the lock
    rebuilt: bool = False
    dossiers: int = 0  # dossiers recomputed
    clocks: int = 0  # rows written
    last_event: int | None = None


def basis() -> str:
    """What the rows were computed with besides the events: the declaration versions, the
    calendar and the at-risk share. A change of any of them rebuilds the table."""
    versions = tuple(
        Declaration.objects.using(PRIMARY).order_by("pk").values_list("pk", "checksum")
    )
    calendar, _cal = current_calendar()
    key = repr((versions, calendar, settings.GUICHET_AT_RISK_PERCENT))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_event() -> tuple[int | None, datetime | None]:
    last = (
        DossierEvent.objects.using(PRIMARY).order_by("-pk").values_list("pk", "recorded_at").first()
    )
    return (last[0], last[1]) if last else (None, None)


def _current(state: LiveClockState | None, today: date, last: int | None, key: str) -> bool:
    return (
        state is not None
        and state.built_at is not None
        and state.last_event == last
        and state.day == today
        and state.basis == key
    )


def refresh(today: date | None = None) -> DataStamp:
    """Bring the table up to date for `today` unless it is, or another process is at it, and
    return the data stamp of what it holds (read where the dashboard reads)."""
    today = today or timezone.localdate()
    with on_primary():
        state = LiveClockState.objects.using(PRIMARY).filter(pk=STATE).first()
        last, _at = _last_event()
        if _rebuild_next or not _current(state, today, last, basis()):
            never_built = state is None or state.built_at is None
            catch_up(today, wait=never_built)
    return stamp()


def stamp() -> DataStamp:
    """The last event the table holds, and when it was recorded."""
    row = LiveClockState.objects.filter(pk=STATE).values_list("last_event", "recorded_at").first()
    return DataStamp(*row) if row else DataStamp(None, None)


def _lock(wait: bool) -> LiveClockState | None:
    """The state row, locked for this transaction; None if another process holds it and we do
    not wait (SQLite has no row locks: its writers take turns on the whole database)."""
    rows = LiveClockState.objects.using(PRIMARY).filter(pk=STATE)
    state = rows.select_for_update(skip_locked=not wait).first()
    if state is None and not rows.exists():
        LiveClockState.objects.using(PRIMARY).bulk_create(
            [LiveClockState(pk=STATE)], ignore_conflicts=True
        )
        state = rows.select_for_update().first()
    return state


def catch_up(today: date, *, wait: bool = True, full: bool = False) -> CatchUp:
    """Apply the events above the state's watermark (and the new day, or a new basis) to the
    table, in one transaction on the primary, under the state row's lock."""
    global _rebuild_next
    with on_primary(), transaction.atomic(using=PRIMARY):
        state = _lock(wait)
        if state is None:
            return CatchUp(skipped=True)
        last, recorded_at = _last_event()
        upto = last or 0
        _stamp, cal = current_calendar()
        key = basis()
        rebuild = (
            full
            or _rebuild_next
            or state.built_at is None
            or state.basis != key
            or upto < (state.last_event or 0)
        )
        if rebuild:
            table = ct.clock_table(cal, ct.Scope(events_until=upto), today)
            # Written in the order the dashboard reads them: a unit's clocks side by side.
            table = table.take(np.lexsort((table.stop, table.unit, table.outcome)))
            LiveClock.objects.using(PRIMARY).all().delete()
            _insert(table)
            _analyze()
            done = CatchUp(
                rebuilt=True,
                dossiers=int(np.unique(table.dossier).size),
                clocks=len(table),
                last_event=last,
            )
            state.built_at = timezone.now()
            _rebuild_next = False
        else:
            done = _apply(cal, state, upto, today)
            done = CatchUp(dossiers=done.dossiers, clocks=done.clocks, last_event=last)
        state.last_event = last
        state.recorded_at = recorded_at
        state.basis = key
        state.day = today
        state.caught_up_at = timezone.now()
        state.save(using=PRIMARY)
        return done


def _apply(cal: BusinessCalendar, state: LiveClockState, upto: int, today: date) -> CatchUp:
    touched: list[ct.Ints] = []
    watermark = state.last_event or 0
    if upto > watermark:
        touched.append(
            np.fromiter(
                DossierEvent.objects.using(PRIMARY)
                .filter(pk__gt=watermark - OVERLAP, pk__lte=upto)
                .values_list("dossier_id", flat=True)
                .distinct(),
                dtype=np.int64,
            )
        )
    if state.day != today:
        # Only a running clock's count depends on the day.
        touched.append(
            np.fromiter(
                LiveClock.objects.using(PRIMARY)
                .filter(outcome=ct.RUNNING)
                .values_list("dossier_id", flat=True)
                .distinct(),
                dtype=np.int64,
            )
        )
    dossiers = np.unique(np.concatenate(touched)) if touched else np.zeros(0, np.int64)
    clocks = 0
    for start in range(0, dossiers.size, CHUNK):
        chunk = tuple(dossiers[start : start + CHUNK].tolist())
        table = ct.clock_table(cal, ct.Scope(dossiers=chunk, events_until=upto), today)
        LiveClock.objects.using(PRIMARY).filter(dossier_id__in=chunk).delete()
        clocks += _insert(table)
    return CatchUp(dossiers=int(dossiers.size), clocks=clocks)


def _analyze() -> None:
    """Fresh planner statistics after a rebuild (PostgreSQL; only the table's owner may, the
    runtime role leaves it to autovacuum: a warning, not an error)."""
    connection = connections[PRIMARY]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(LiveClock._meta.db_table)}")


def dossier_flags(table: ct.ClockTable) -> tuple[ct.Bools, ct.Bools]:
    """For each row: whether it is the oldest running clock of its open dossier (the most
    counted days, the first commitment of a tie), and whether one of the dossier's running
    clocks is overdue. A dossier's rows are always computed together, so this holds."""
    oldest = np.zeros(len(table), dtype=bool)
    late = np.zeros(len(table), dtype=bool)
    rows = np.flatnonzero((table.outcome == ct.RUNNING) & table.open)
    if rows.size:
        rows = rows[np.lexsort((table.commitment[rows], -table.elapsed[rows], table.dossier[rows]))]
        dossiers = table.dossier[rows]
        first = np.ones(rows.size, dtype=bool)
        first[1:] = dossiers[1:] != dossiers[:-1]
        starts = np.flatnonzero(first)
        oldest[rows[first]] = True
        any_late = np.logical_or.reduceat(table.status[rows] == OVERDUE, starts)
        late[rows] = np.repeat(any_late, np.diff(np.append(starts, rows.size)))
    return oldest, late


def _columns(table: ct.ClockTable) -> list[list[object]]:
    out: list[list[object]] = []
    for name in COLUMNS:
        values = getattr(table, name)
        if name in DATES:
            out.append(values.view("datetime64[D]").astype(object).tolist())  # NaT: None
        else:
            out.append(values.tolist())
    oldest, late = dossier_flags(table)
    return [*out, oldest.tolist(), late.tolist()]


def _insert(table: ct.ClockTable) -> int:
    """Write the rows of `table` (COPY on PostgreSQL)."""
    if not len(table):
        return 0
    connection = connections[PRIMARY]
    quote = connection.ops.quote_name
    names = ", ".join(
        quote("dossier_id" if n == "dossier" else n) for n in (*COLUMNS, "oldest", "dossier_late")
    )
    db_table = quote(LiveClock._meta.db_table)
    rows = zip(*_columns(table), strict=True)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {db_table} ({names}) FROM STDIN") as copy:  # noqa: S608 (model names)
                for row in rows:
                    copy.write_row(row)
        return len(table)
    marks = ", ".join(["%s"] * (len(COLUMNS) + 2))
    sql = f"INSERT INTO {db_table} ({names}) VALUES ({marks})"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        batch = list(rows)
        for start in range(0, len(batch), INSERT_BATCH):
            cursor.executemany(sql, batch[start : start + INSERT_BATCH])
    return len(table)
