"""The live dashboard's figures, from the same clock table as the annual report.

The clock table of every dossier is computed once per process (seconds for a million dossiers)
and then kept up to date from the event log: events are append-only, so the dossiers touched
since the last look are those with an event numbered above it. Only they are recomputed. A new
day, a calendar change or a new declaration version recomputes everything. Each request then
filters and counts numpy arrays, which takes milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection
from django.utils import timezone

from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Commitment, CommitmentUnit, Declaration
from guichet.clock import BusinessCalendar
from guichet.clock.batch import OVERDUE, SUSPENDED
from guichet.dossiers.models import DossierEvent
from guichet.measures import Stopped, forget_recent, stopped_recently
from guichet.reports import clocktable as ct
from guichet.reports.annual import DataStamp, data_stamp, months_of
from guichet.reports.figures import EMPTY, Result, groups, shares, summarize

# Events recorded below the last one seen but committed after it (a slow transaction) are
# caught by looking this many events back each time.
OVERLAP = 1_000
CHUNK = 500  # dossiers per query when recomputing some of them


@dataclass
class _Live:
    key: tuple[object, ...]
    cal: BusinessCalendar
    watermark: int
    table: ct.ClockTable
    stamp: DataStamp


_lock = threading.Lock()
_live: _Live | None = None


def clear_cache() -> None:
    global _live
    with _lock:
        _live = None
    forget_recent()


def _key(today: date) -> tuple[object, ...]:
    versions = tuple(Declaration.objects.order_by("pk").values_list("pk", "checksum"))
    return (connection.alias, connection.settings_dict.get("NAME"), versions, today)


def live_table(today: date | None = None) -> tuple[ct.ClockTable, DataStamp]:
    """Every clock of every dossier as of today, brought up to date with the event log."""
    global _live
    today = today or timezone.localdate()
    cal = business_calendar()
    key = _key(today)
    stamp = data_stamp()
    last = stamp.last_event or 0
    with _lock:
        live = _live
        if live is None or live.key != key or live.cal is not cal or last < live.watermark:
            table = _by_dossier(ct.clock_table(cal, ct.Scope(events_until=last), today))
            live = _Live(key, cal, last, table, stamp)
        elif last > live.watermark:
            touched = np.fromiter(
                DossierEvent.objects.filter(pk__gt=live.watermark - OVERLAP, pk__lte=last)
                .values_list("dossier_id", flat=True)
                .distinct(),
                dtype=np.int64,
            )
            fresh = [
                ct.clock_table(
                    cal, ct.Scope(dossiers=tuple(chunk.tolist()), events_until=last), today
                )
                for chunk in np.array_split(touched, max(1, -(-touched.size // CHUNK)))
                if chunk.size
            ]
            table = ct.ClockTable.concat([live.table.without_dossiers(touched), *fresh])
            live = _Live(key, cal, last, _by_dossier(table), stamp)
        _live = live
        return live.table, live.stamp


def _by_dossier(table: ct.ClockTable) -> ct.ClockTable:
    """The clocks of each dossier next to each other: per-dossier figures need no sort."""
    return table.take(np.argsort(table.dossier, kind="stable"))


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    units: tuple[int, ...]  # units in scope (never empty: the supervisor's)
    services: tuple[int, ...] | None  # every version of the chosen service
    channel: int | None  # ct.CHANNELS index + 1
    start: date
    end: date


@dataclass(frozen=True)
class OpenCounts:
    overdue: int = 0
    at_risk: int = 0
    on_track: int = 0
    suspended: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.at_risk + self.on_track + self.suspended


# Open clocks, by what is left: keys used in drill-down links.
OPEN_KINDS = ("en-retard", "a-risque", "dans-les-temps", "suspendus")
# Backlog ageing: counted business days on the oldest running clock of each open dossier.
AGE_BUCKETS: tuple[tuple[str, str, int, int], ...] = (
    ("0-5", "0 à 5 jours", 0, 5),
    ("6-10", "6 à 10 jours", 6, 10),
    ("11-20", "11 à 20 jours", 11, 20),
    ("21-40", "21 à 40 jours", 21, 40),
    ("41-60", "41 à 60 jours", 41, 60),
    ("61-120", "61 à 120 jours", 61, 120),
    ("121+", "plus de 120 jours", 121, 1 << 40),
)


@dataclass(frozen=True)
class Month:
    index: int  # months since January 1970
    first_day: date
    result: Result

    @property
    def key(self) -> str:
        return f"{self.first_day.year:04d}-{self.first_day.month:02d}"


@dataclass(frozen=True)
class CommitmentFigures:
    commitment: Commitment
    result: Result
    open: OpenCounts
    months: list[Month]
    dossiers: bool = True  # False: measured by another app, no dossier to drill into


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    total: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    rows: list[CommitmentFigures]
    backlog: list[AgeBucket]
    stamp: DataStamp
    months: list[date]


def month_index(day: date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def month_start(index: int) -> date:
    year, month = divmod(index, 12)
    return date(1970 + year, month + 1, 1)


def scope_mask(table: ct.ClockTable, f: Filters) -> ct.Bools:
    if len(f.units) == 1:
        mask: ct.Bools = table.unit == f.units[0]
    else:
        mask = np.isin(table.unit, f.units)
    mask &= table.commitment != ct.PROCESSING
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


def open_kind(table: ct.ClockTable) -> ct.Ints:
    """0 overdue, 1 at risk, 2 on track, 3 suspended (index into OPEN_KINDS)."""
    return _open_kind(table.status, table.at_risk)


def _open_kind(status: ct.Ints, at_risk: ct.Bools) -> ct.Ints:
    kind = np.full(status.size, 2, dtype=np.int64)
    kind[at_risk] = 1
    kind[status == SUSPENDED] = 3
    kind[status == OVERDUE] = 0
    return kind


def dossier_ages(table: ct.ClockTable) -> tuple[ct.Ints, ct.Ints, ct.Bools]:
    """For the open clocks of `table`: each dossier, its age (the most counted days of its
    running clocks) and whether one of them is overdue."""
    return _dossier_ages(table.dossier, table.elapsed, table.status == OVERDUE)


def _dossier_ages(
    dossiers: ct.Ints, elapsed: ct.Ints, late: ct.Bools
) -> tuple[ct.Ints, ct.Ints, ct.Bools]:
    if not dossiers.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
    if (np.diff(dossiers) < 0).any():  # not grouped by dossier yet
        order = np.argsort(dossiers, kind="stable")
        dossiers, elapsed, late = dossiers[order], elapsed[order], late[order]
    first = np.ones(dossiers.size, dtype=bool)
    first[1:] = dossiers[1:] != dossiers[:-1]
    starts = np.flatnonzero(first)
    ages = np.maximum.reduceat(elapsed, starts)
    overdue = np.logical_or.reduceat(late, starts)
    return dossiers[starts], ages, overdue


def age_bucket_of(ages: ct.Ints) -> ct.Ints:
    bounds = np.array([b[2] for b in AGE_BUCKETS[1:]], dtype=np.int64)
    return np.searchsorted(bounds, ages, side="right")


def commitments_in_scope(f: Filters, seen: set[int]) -> list[Commitment]:
    """Business-day commitments of the services of the scope's units in force during the
    period, and any other with a clock in the figures."""
    from guichet.accounts.models import UnitService

    codes = UnitService.objects.filter(unit_id__in=f.units).values_list("service_code", flat=True)
    commitments = (
        Commitment.objects.filter(
            unit=CommitmentUnit.BUSINESS_DAYS,
            service__code__in=list(codes),
            in_force_from__lte=f.end,
            service__declaration__in_force_from__lte=f.end,
        )
        .exclude(in_force_to__lt=f.start)
        .exclude(service__declaration__in_force_to__lt=f.start)
    )
    if f.services is not None:
        commitments = commitments.filter(service_id__in=f.services)
    pks = set(commitments.values_list("pk", flat=True)) | seen
    return list(
        Commitment.objects.filter(pk__in=pks)
        .select_related("service", "service__declaration")
        .order_by(
            "service__declaration__code",
            "service__declaration__in_force_from",
            "service__position",
            "position",
        )
    )


def measured_elsewhere(f: Filters) -> Stopped:
    """The other apps' clocks (guichet/measures.py) in the scope: their unit among the scope's
    (or none), their service the chosen one. They have no channel: a channel filter drops them."""
    if f.channel is not None:
        return Stopped.empty()
    stopped = stopped_recently(f.start, f.end)
    mask = (stopped.unit == 0) | np.isin(stopped.unit, np.asarray(f.units, dtype=np.int64))
    measured = stopped.measured
    if f.services is not None:
        chosen = set(
            Commitment.objects.filter(
                pk__in=[*measured, *np.unique(stopped.commitment).tolist()],
                service_id__in=f.services,
            ).values_list("pk", flat=True)
        )
        mask &= np.isin(stopped.commitment, np.asarray(sorted(chosen), dtype=np.int64))
        measured = frozenset(measured & chosen)
    kept = stopped.take(mask)
    return Stopped(kept.commitment, kept.stop_day, kept.elapsed, kept.met, kept.unit, measured)


def _month_result(figures: tuple[int, int] | None) -> Result:
    return EMPTY if figures is None else Result(figures[0], figures[1], None, None)


def dashboard(f: Filters, table: ct.ClockTable, stamp: DataStamp) -> Dashboard:
    # Masks over the whole table, then only the columns each figure needs: no full copy.
    scope = scope_mask(table, f)
    rows_stopped = np.flatnonzero(scope & stopped_mask(table, f))
    commitment = table.commitment[rows_stopped]
    elapsed = table.elapsed[rows_stopped]
    met = table.met[rows_stopped]
    first_month, last_month = month_index(f.start), month_index(f.end)
    span = last_month - first_month + 1
    stop_months = table.stop_month[rows_stopped]
    elsewhere = measured_elsewhere(f)
    if len(elsewhere):
        commitment = np.concatenate([commitment, elsewhere.commitment])
        elapsed = np.concatenate([elapsed, elsewhere.elapsed])
        met = np.concatenate([met, elsewhere.met])
        stop_months = np.concatenate([stop_months, months_of(elsewhere.stop_day)])
    results = summarize(commitment, elapsed, met)
    monthly = shares(commitment * span + (stop_months - first_month), met)
    rows_open = np.flatnonzero(scope & open_mask(table))
    open_commitment = table.commitment[rows_open]
    open_status = table.status[rows_open]
    kinds = _open_kind(open_status, table.at_risk[rows_open])
    open_counts: dict[int, OpenCounts] = {}
    if rows_open.size:
        unique, group = groups(open_commitment)
        counts = np.bincount(group * 4 + kinds, minlength=unique.size * 4).reshape(-1, 4)
        for pk, row in zip(unique.tolist(), counts.tolist(), strict=True):
            open_counts[pk] = OpenCounts(*row)

    seen = set(results) | set(open_counts) | elsewhere.measured
    rows = []
    for c in commitments_in_scope(f, seen):
        months = [
            Month(
                first_month + i,
                month_start(first_month + i),
                _month_result(monthly.get(c.pk * span + i)),
            )
            for i in range(span)
        ]
        rows.append(
            CommitmentFigures(
                c,
                results.get(c.pk, EMPTY),
                open_counts.get(c.pk, OpenCounts()),
                months,
                dossiers=c.pk not in elsewhere.measured,
            )
        )

    _dossiers, ages, overdue = _dossier_ages(
        table.dossier[rows_open], table.elapsed[rows_open], open_status == OVERDUE
    )
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
        stamp=stamp,
        months=[month_start(first_month + i) for i in range(span)],
    )


# ---------------------------------------------------------------------------------------------
# Drill-down: the clocks behind a figure
# ---------------------------------------------------------------------------------------------

STOPPED_KINDS = ("arretes", "respectes", "non-respectes")


@dataclass(frozen=True)
class Drill:
    what: str  # one of STOPPED_KINDS, "ouverts", OPEN_KINDS, or "age"
    commitment: int | None = None
    month: int | None = None  # month index, for stopped clocks
    age: str | None = None  # AGE_BUCKETS key


def drill(f: Filters, d: Drill, table: ct.ClockTable) -> ct.ClockTable:
    """The clocks behind one figure of the dashboard, in the order the list shows them."""
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
        order = np.lexsort((rows.dossier, -rows.stop))
        return rows.take(order)
    running = table.take(np.flatnonzero(scope & open_mask(table)))
    if d.age is not None:
        keys = [b[0] for b in AGE_BUCKETS]
        wanted = keys.index(d.age) if d.age in keys else -1
        dossiers, ages, _overdue = dossier_ages(running)
        running = running.take(np.isin(running.dossier, dossiers[age_bucket_of(ages) == wanted]))
    if d.what in OPEN_KINDS:
        running = running.take(open_kind(running) == OPEN_KINDS.index(d.what))
    elif d.what == "age":
        # One line per dossier: its oldest running clock.
        order = np.lexsort((-running.elapsed, running.dossier))
        running = running.take(order)
        first = np.ones(len(running), dtype=bool)
        first[1:] = running.dossier[1:] != running.dossier[:-1]
        running = running.take(first)
    order = np.lexsort((running.dossier, -running.elapsed))
    return running.take(order)
