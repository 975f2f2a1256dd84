"""The live dashboard's figures, from the same clocks as the annual report.

Every clock of every dossier is in a table of the database that every process shares
(`LiveClock`, kept current from the event log by guichet/reports/live.py). The figures are a
few grouped queries over it, filtered by the supervisor's units, the service, the channel and
the period: each returns a few hundred rows (counts by commitment, month, business days and
outcome) that numpy turns into shares, medians and 90th percentiles. A process keeps no table:
its memory does not grow with the data, and its first request costs what the others do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q, QuerySet

from guichet.catalogue.models import Commitment, CommitmentUnit
from guichet.clock.batch import OVERDUE, SUSPENDED
from guichet.measures import Stopped, forget_recent, stopped_recently
from guichet.reports import clocktable as ct
from guichet.reports import live
from guichet.reports.annual import DataStamp, months_of
from guichet.reports.figures import EMPTY, Result, shares, summarize
from guichet.reports.models import LiveClock


def clear_cache() -> None:
    """Forget what this process keeps: the other apps' recent measures, and the shared table
    is rebuilt on the next look (tests)."""
    live.forget()
    forget_recent()


def refresh(today: date | None = None) -> DataStamp:
    """The shared clock table brought up to date (guichet/reports/live.py); its data stamp."""
    return live.refresh(today)


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


def _open_kind(status: ct.Ints, at_risk: ct.Bools) -> ct.Ints:
    kind = np.full(status.size, 2, dtype=np.int64)
    kind[at_risk] = 1
    kind[status == SUSPENDED] = 3
    kind[status == OVERDUE] = 0
    return kind


def open_kind(table: ct.ClockTable) -> ct.Ints:
    """0 overdue, 1 at risk, 2 on track, 3 suspended (index into OPEN_KINDS)."""
    return _open_kind(table.status, table.at_risk)


def age_bucket_of(ages: ct.Ints) -> ct.Ints:
    bounds = np.array([b[2] for b in AGE_BUCKETS[1:]], dtype=np.int64)
    return np.searchsorted(bounds, ages, side="right")


# ---------------------------------------------------------------------------------------------
# The clocks of a scope, in the shared table
# ---------------------------------------------------------------------------------------------


def in_scope(f: Filters) -> QuerySet[LiveClock]:
    """The clocks of the filters' units, service and channel (not the period)."""
    # The table holds no processing pseudo-clock (ct.PROCESSING): nothing to leave out.
    clocks = LiveClock.objects.filter(unit__in=f.units)
    if f.services is not None:
        clocks = clocks.filter(service__in=f.services)
    if f.channel is not None:
        clocks = clocks.filter(channel=f.channel)
    return clocks


def stopped_in(clocks: QuerySet[LiveClock], f: Filters) -> QuerySet[LiveClock]:
    """Those that stopped during the period."""
    return clocks.filter(outcome=ct.STOPPED, stop__gte=f.start, stop__lte=f.end)


def running_in(clocks: QuerySet[LiveClock]) -> QuerySet[LiveClock]:
    """Those still running, of open dossiers."""
    return clocks.filter(outcome=ct.RUNNING, open=True)


def _grouped(clocks: QuerySet[LiveClock], *columns: str) -> ct.Ints:
    """(columns..., count) for each distinct combination, as an int64 array."""
    rows = list(clocks.values_list(*columns).annotate(n=Count("*")).order_by())
    return np.array(rows, dtype=np.int64).reshape(len(rows), len(columns) + 1)


def _per_dossier(running: QuerySet[LiveClock]) -> Any:
    """Each dossier of `running` and its age (the most counted days of its running clocks):
    for a drill-down into one commitment's clocks (else `oldest` says it)."""
    return running.values("dossier").annotate(age=Max("elapsed")).order_by()


def _backlog(running: QuerySet[LiveClock]) -> ct.Ints:
    """(age, late, dossiers) rows: the open dossiers counted by age, from the oldest running
    clock of each (the scope's filters are the dossier's: all its clocks are in, or none)."""
    return _grouped(running.filter(oldest=True), "elapsed", "dossier_late")


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


def dashboard(f: Filters, stamp: DataStamp) -> Dashboard:
    """The figures of the filters, from the shared table as it is (`refresh` first)."""
    scope = in_scope(f)
    stopped = _grouped(stopped_in(scope, f), "commitment", "stop_month", "elapsed", "met")
    commitment, stop_months, elapsed = stopped[:, 0], stopped[:, 1], stopped[:, 2]
    met, counts = stopped[:, 3].astype(bool), stopped[:, 4]
    first_month, last_month = month_index(f.start), month_index(f.end)
    span = last_month - first_month + 1
    elsewhere = measured_elsewhere(f)
    if len(elsewhere):
        commitment = np.concatenate([commitment, elsewhere.commitment])
        elapsed = np.concatenate([elapsed, elsewhere.elapsed])
        met = np.concatenate([met, elsewhere.met])
        stop_months = np.concatenate([stop_months, months_of(elsewhere.stop_day)])
        counts = np.concatenate([counts, np.ones(len(elsewhere), dtype=np.int64)])
    results = summarize(commitment, elapsed, met, counts)
    monthly = shares(commitment * span + (stop_months - first_month), met, counts)
    running = running_in(scope)
    open_rows = _grouped(running, "commitment", "status", "at_risk")
    open_counts: dict[int, OpenCounts] = {}
    if open_rows.size:
        kinds = _open_kind(open_rows[:, 1], open_rows[:, 2].astype(bool))
        tally: dict[int, list[int]] = {}
        for pk, kind, n in zip(
            open_rows[:, 0].tolist(), kinds.tolist(), open_rows[:, 3].tolist(), strict=True
        ):
            tally.setdefault(pk, [0, 0, 0, 0])[kind] += n
        open_counts = {pk: OpenCounts(*row) for pk, row in tally.items()}

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

    aged = _backlog(running)
    buckets = age_bucket_of(aged[:, 0])
    totals = np.bincount(buckets, weights=aged[:, 2], minlength=len(AGE_BUCKETS))
    late = np.bincount(buckets, weights=aged[:, 1] * aged[:, 2], minlength=len(AGE_BUCKETS))
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


@dataclass(frozen=True)
class Clocks:
    """The clocks behind one figure: how many, and a page of them in the order of the list."""

    total: int
    rows: ct.ClockTable


def _open_kind_q(kind: str) -> Q:
    """The clocks of one of OPEN_KINDS (as `_open_kind`: overdue, then suspended, at risk)."""
    if kind == "en-retard":
        return Q(status=OVERDUE)
    if kind == "suspendus":
        return Q(status=SUSPENDED)
    ahead = ~Q(status__in=(OVERDUE, SUSPENDED))
    return ahead & Q(at_risk=(kind == "a-risque"))


def _age_q(per: Any, key: str, age: str) -> Any:
    """The dossiers of `per` whose age (its column `age`) is in the bucket `key`."""
    keys = [b[0] for b in AGE_BUCKETS]
    if key not in keys:
        return None
    i = keys.index(key)
    if i > 0:
        per = per.filter(**{f"{age}__gte": AGE_BUCKETS[i][2]})
    if i < len(AGE_BUCKETS) - 1:
        per = per.filter(**{f"{age}__lte": AGE_BUCKETS[i][3]})
    return per


def drill(f: Filters, d: Drill, first: int, size: int) -> Clocks:
    """The clocks behind one figure of the dashboard: their number, and `size` of them from
    the `first` in the order the list shows them."""
    scope = in_scope(f)
    if d.commitment is not None:
        scope = scope.filter(commitment=d.commitment)
    if d.what in STOPPED_KINDS:
        rows = stopped_in(scope, f)
        if d.month is not None:
            rows = rows.filter(stop_month=d.month)
        if d.what == "respectes":
            rows = rows.filter(met=True)
        elif d.what == "non-respectes":
            rows = rows.filter(met=False)
        rows = rows.order_by("-stop", "dossier", "commitment")
        return Clocks(rows.count(), _table(rows[first : first + size]))
    running = running_in(scope)
    # Without a commitment, every running clock of a dossier is in: its age is its oldest's.
    whole = d.commitment is None
    if d.what == "age" and whole:
        firsts = running.filter(oldest=True)
        if d.age is not None:
            firsts = _age_q(firsts, d.age, "elapsed")
            if firsts is None:
                return Clocks(0, ct.ClockTable.empty())
        firsts = firsts.order_by("-elapsed", "dossier")
        return Clocks(firsts.count(), _table(firsts[first : first + size]))
    if d.age is not None:
        if whole:
            aged = _age_q(running.filter(oldest=True), d.age, "elapsed")
        else:
            aged = _age_q(_per_dossier(running), d.age, "age")
        if aged is None:
            return Clocks(0, ct.ClockTable.empty())
        running = running.filter(dossier__in=aged.values("dossier"))
    if d.what == "age":
        # One line per dossier: its oldest running clock (the first commitment of a tie).
        per = _per_dossier(running).order_by("-age", "dossier")
        page = [row["dossier"] for row in per[first : first + size]]
        clocks = _table(
            running.filter(dossier__in=page).order_by("dossier", "-elapsed", "commitment")
        )
        keep = np.ones(len(clocks), dtype=bool)
        keep[1:] = clocks.dossier[1:] != clocks.dossier[:-1]
        oldest = clocks.take(keep)
        order = np.lexsort((oldest.dossier, -oldest.elapsed))
        return Clocks(per.count(), oldest.take(order))
    if d.what in OPEN_KINDS:
        running = running.filter(_open_kind_q(d.what))
    running = running.order_by("-elapsed", "dossier", "commitment")
    return Clocks(running.count(), _table(running[first : first + size]))


def _table(clocks: QuerySet[LiveClock]) -> ct.ClockTable:
    """Rows of the shared table as a clock table (a page: a few dozen rows)."""
    names = [f for f in live.COLUMNS]
    columns = ["dossier_id" if n == "dossier" else n for n in names]
    rows = list(clocks.values_list(*columns))
    values: dict[str, list[object]] = {n: [] for n in names}
    for row in rows:
        for n, v in zip(names, row, strict=True):
            if n in live.DATES:
                v = ct.NONE if v is None else ct.day_number(v)
            values[n].append(v)
    flags = {"open", "met", "at_risk"}
    return ct.ClockTable(
        **{n: np.array(values[n], dtype=bool if n in flags else np.int64) for n in names}
    )
