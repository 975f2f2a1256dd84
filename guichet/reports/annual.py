"""The annual management report (rapport annuel de gestion) of one fiscal year.

One row per commitment as published in its version of the declaration (its own wording and
targets), with the share of clocks that stopped within the deadline during the fiscal year, the
volume, the median and 90th percentile of business days taken, and the results of the two
previous years for the same commitment code; then the processing times per service (reception
to decision). Everything comes from one `ClockTable` computed from the events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

import numpy as np
from django.db.models import Q
from django.utils import timezone

from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Commitment, CommitmentUnit, Declaration, Service
from guichet.dossiers.models import DossierEvent
from guichet.measures import CountRow, ShareRow, counts_between, shares_between, stopped_between
from guichet.reports import clocktable as ct
from guichet.reports.figures import EMPTY, Result, share_tenths, summarize
from guichet.reports.fiscal import FiscalYear
from guichet.reports.models import ReportSnapshot

Progress = Callable[[str], None]

COUNTING_RULE = (
    "Un délai compte dans l'exercice où il s'arrête (lettre envoyée, décision rendue, "
    "rencontre tenue…). Résultat = délais respectés ÷ délais arrêtés. Jours ouvrables : du "
    "lundi au vendredi, sauf les jours de fermeture de la fonction publique québécoise ; la "
    "date de réception (jour 0) ne compte pas ; les jours où le dossier est incomplet (de "
    "l'avis de dossier incomplet à la réception des éléments manquants) ne comptent pas. Un "
    "délai est respecté quand l'événement attendu survient au plus tard le dernier jour "
    "ouvrable du délai. Les dossiers retirés ou fermés avant l'événement attendu sont exclus. "
    "Médiane et 90e centile au rang le plus proche."
)
PROCESSING_RULE = (
    "De la date de réception à la décision, en jours ouvrables, jours où le dossier est "
    "incomplet exclus ; décisions rendues pendant l'exercice."
)


@dataclass(frozen=True)
class YearShare:
    """A previous year's result for a commitment code: met over stopped."""

    met: int
    volume: int

    @property
    def tenths(self) -> int | None:
        return share_tenths(self.met, self.volume)


@dataclass(frozen=True)
class CommitmentRow:
    commitment_id: int
    code: str
    declaration: str  # "micc 2023-04"
    service_code: str
    service_name: str
    label: str
    target: int
    unit: str
    performance_target: int | None
    measured: bool  # counted by Guichet: dossiers' clocks, or an app's (guichet/measures.py)
    result: Result
    previous: tuple[YearShare | None, YearShare | None]  # one and two years before

    @property
    def gap_tenths(self) -> int | None:
        """Result minus the performance target, in tenths of a point."""
        tenths = self.result.tenths
        if tenths is None or self.performance_target is None:
            return None
        return tenths - 10 * self.performance_target


@dataclass(frozen=True)
class ServiceRow:
    service_id: int
    code: str
    declaration: str
    name: str
    result: Result  # volume = decisions; median and p90 of business days


@dataclass(frozen=True)
class Correction:
    """A figure of a frozen report that the events give differently today."""

    what: str  # "engagement" or "service"
    code: str
    declaration: str
    frozen: Result | None
    current: Result | None


@dataclass(frozen=True)
class Freeze:
    frozen_at: datetime
    frozen_by: str
    checksum: str
    data_as_of: datetime | None
    last_event: int | None


@dataclass(frozen=True)
class DataStamp:
    """The data a report was computed from: the last event recorded (events are append-only)."""

    last_event: int | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class AnnualReport:
    fiscal_year: FiscalYear
    organization: str
    data: DataStamp
    in_progress: bool
    commitments: list[CommitmentRow]
    services: list[ServiceRow]
    freeze: Freeze | None = None
    current: DataStamp | None = None  # for a frozen year: the data of the corrections
    corrections: list[Correction] = field(default_factory=list)
    # Shares measured by other apps (satisfaction surveys, rows "satisfaction-…"), frozen with
    # the year like the commitments (guichet/measures.py); live for a year frozen before they
    # were part of the snapshot.
    satisfaction: list[ShareRow] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)  # referrals (guichet/measures.py)

    @property
    def years(self) -> tuple[FiscalYear, FiscalYear]:
        return self.fiscal_year.minus(1), self.fiscal_year.minus(2)


def data_stamp() -> DataStamp:
    last = DossierEvent.objects.order_by("-pk").values_list("pk", "recorded_at").first()
    return DataStamp(*last) if last else DataStamp(None, None)


def fiscal_years_of(table: ct.ClockTable) -> np.ndarray:
    """The fiscal year (its first calendar year) in which each stopped clock stopped."""
    return _fiscal_years(table.stop_month)


def _fiscal_years(stop_month: np.ndarray) -> np.ndarray:
    year, month = np.divmod(stop_month, 12)
    return (1970 + year - (month < 3)).astype(np.int64)


def months_of(ordinals: np.ndarray) -> np.ndarray:
    """Months since January 1970 of days given as `date.toordinal()` numbers."""
    days = (ordinals - _EPOCH).astype("datetime64[D]")
    return days.astype("datetime64[M]").astype(np.int64)


_EPOCH = date(1970, 1, 1).toordinal()


def clocks_for(
    fy: FiscalYear, *, as_of: date, stamp: DataStamp, progress: Progress | None = None
) -> ct.ClockTable:
    """Every clock of the dossiers received by the end of `fy`, with processing clocks, from
    the events up to `stamp`."""
    say = progress or (lambda _message: None)
    cal = business_calendar()
    say("lecture des dossiers et de leurs événements")
    scope = ct.Scope(received_until=fy.last_day, events_until=stamp.last_event or 0)
    dossiers, events = ct.read(scope)
    say(f"{_n(dossiers.id.size)} dossiers, {_n(events.kind.size)} événements de délai")
    say("calcul des délais (moteur des jours ouvrables)")
    table = ct.compute(cal, dossiers, events, ct.commitment_specs(), as_of, processing=True)
    say(f"{_n(len(table))} délais calculés")
    return table


def _n(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def _version(declaration: Declaration) -> str:
    return f"{declaration.code} {declaration.version}"


def _overlaps(fy: FiscalYear) -> Q:
    """Commitments in force at some point of the fiscal year, in a version in force then."""
    return (
        Q(in_force_from__lte=fy.last_day)
        & (Q(in_force_to__isnull=True) | Q(in_force_to__gte=fy.first_day))
        & Q(service__declaration__in_force_from__lte=fy.last_day)
        & (
            Q(service__declaration__in_force_to__isnull=True)
            | Q(service__declaration__in_force_to__gte=fy.first_day)
        )
    )


def compute_rows(
    fy: FiscalYear, table: ct.ClockTable
) -> tuple[list[CommitmentRow], list[ServiceRow]]:
    """The rows of `fy` as the events give them now (previous years from the same table)."""
    stopped = table.take(table.outcome == ct.STOPPED)
    years = fiscal_years_of(stopped)
    is_commitment = stopped.commitment != ct.PROCESSING
    # The clocks of the other apps (meetings, calls, complaints…) join the dossiers' ones.
    elsewhere = stopped_between(fy.minus(2).first_day, fy.last_day)
    keys = np.concatenate([stopped.commitment[is_commitment], elsewhere.commitment])
    elapsed = np.concatenate([stopped.elapsed[is_commitment], elsewhere.elapsed])
    met = np.concatenate([stopped.met[is_commitment], elsewhere.met])
    key_years = np.concatenate([years[is_commitment], _fiscal_years(months_of(elsewhere.stop_day))])
    in_year = key_years == fy.start_year
    results = summarize(keys[in_year], elapsed[in_year], met[in_year])

    commitments = list(
        Commitment.objects.filter(_overlaps(fy) | Q(pk__in=list(results)))
        .select_related("service", "service__declaration")
        .order_by(
            "service__declaration__code",
            "service__declaration__in_force_from",
            "service__position",
            "position",
        )
    )
    by_pk = {c.pk: c for c in Commitment.objects.all().only("pk", "code")}
    previous: list[dict[str, YearShare]] = []
    for back in (1, 2):
        mask = key_years == fy.minus(back).start_year
        shares: dict[str, YearShare] = {}
        for pk, result in summarize(keys[mask], elapsed[mask], met[mask]).items():
            code = by_pk[pk].code
            before = shares.get(code, YearShare(0, 0))
            shares[code] = YearShare(before.met + result.met, before.volume + result.volume)
        previous.append(shares)

    rows = [
        CommitmentRow(
            commitment_id=c.pk,
            code=c.code,
            declaration=_version(c.service.declaration),
            service_code=c.service.code,
            service_name=c.service.name_fr,
            label=c.label_fr,
            target=c.target,
            unit=c.unit,
            performance_target=c.performance_target,
            measured=c.unit == CommitmentUnit.BUSINESS_DAYS or c.pk in elsewhere.measured,
            result=results.get(c.pk, EMPTY),
            previous=(previous[0].get(c.code), previous[1].get(c.code)),
        )
        for c in commitments
    ]

    processing = (years == fy.start_year) & ~is_commitment
    times = summarize(
        stopped.service[processing], stopped.elapsed[processing], stopped.met[processing]
    )
    services = [
        ServiceRow(
            service_id=s.pk,
            code=s.code,
            declaration=_version(s.declaration),
            name=s.name_fr,
            result=times[s.pk],
        )
        for s in Service.objects.filter(pk__in=list(times))
        .select_related("declaration")
        .order_by("declaration__code", "declaration__in_force_from", "position")
    ]
    return rows, services


def _organization(fy: FiscalYear) -> str:
    declaration = (
        Declaration.objects.filter(in_force_from__lte=fy.last_day)
        .order_by("-in_force_from")
        .first()
        or Declaration.objects.order_by("in_force_from").first()
    )
    return declaration.organization if declaration else ""


# --- Snapshots: the rows as JSON ----------------------------------------------------------------


def _result_json(r: Result) -> dict[str, int | None]:
    return asdict(r)


def _share_json(s: YearShare | None) -> dict[str, int] | None:
    return asdict(s) if s else None


def snapshot_content(
    rows: list[CommitmentRow],
    services: list[ServiceRow],
    data: DataStamp,
    satisfaction: list[ShareRow] | None = None,
    counts: list[CountRow] | None = None,
) -> dict[str, object]:
    """The rows of a frozen year as JSON: commitments, services, and the other apps' shares
    (satisfaction) and counts (referrals), so that the year shows the figures it was frozen
    with."""
    return {
        "satisfaction": [asdict(row) for row in satisfaction or []],
        "counts": [asdict(row) for row in counts or []],
        "data": {
            "last_event": data.last_event,
            "recorded_at": data.recorded_at.isoformat() if data.recorded_at else None,
        },
        "commitments": [
            {
                **{k: v for k, v in asdict(row).items() if k not in ("result", "previous")},
                "result": _result_json(row.result),
                "previous": [_share_json(p) for p in row.previous],
            }
            for row in rows
        ],
        "services": [
            {
                **{k: v for k, v in asdict(row).items() if k != "result"},
                "result": _result_json(row.result),
            }
            for row in services
        ],
    }


def _rows_from(content: dict[str, object]) -> tuple[list[CommitmentRow], list[ServiceRow]]:
    commitments = content["commitments"]
    services = content["services"]
    assert isinstance(commitments, list) and isinstance(services, list)  # noqa: S101
    rows = []
    for item in commitments:
        previous = item["previous"]
        rows.append(
            CommitmentRow(
                **{k: v for k, v in item.items() if k not in ("result", "previous")},
                result=Result(**item["result"]),
                previous=(
                    YearShare(**previous[0]) if previous[0] else None,
                    YearShare(**previous[1]) if previous[1] else None,
                ),
            )
        )
    service_rows = [
        ServiceRow(
            **{k: v for k, v in item.items() if k != "result"},
            result=Result(**item["result"]),
        )
        for item in services
    ]
    return rows, service_rows


def _extras_from(content: dict[str, object]) -> tuple[list[ShareRow], list[CountRow]] | None:
    """The shares and counts of a snapshot; None for a snapshot frozen before they were in it
    (its checksum covers what it holds: they are then computed from the data now)."""
    if "satisfaction" not in content or "counts" not in content:
        return None
    shares, counts = content["satisfaction"], content["counts"]
    assert isinstance(shares, list) and isinstance(counts, list)  # noqa: S101
    return [ShareRow(**item) for item in shares], [CountRow(**item) for item in counts]


def _stamp_from(content: dict[str, object]) -> DataStamp:
    data = content["data"]
    assert isinstance(data, dict)  # noqa: S101
    recorded = data.get("recorded_at")
    return DataStamp(data.get("last_event"), datetime.fromisoformat(recorded) if recorded else None)


class SnapshotAltered(RuntimeError):
    """A frozen report no longer matches its checksum."""


def frozen_rows(
    snapshot: ReportSnapshot,
) -> tuple[list[CommitmentRow], list[ServiceRow], DataStamp]:
    if not snapshot.intact:
        raise SnapshotAltered(
            f"le rapport figé de l'exercice {snapshot} ne correspond plus à son empreinte "
            f"SHA-256 ({snapshot.checksum}) : il a été modifié après le gel"
        )
    rows, services = _rows_from(snapshot.content)
    return rows, services, _stamp_from(snapshot.content)


def _corrections(
    frozen: tuple[list[CommitmentRow], list[ServiceRow]],
    current: tuple[list[CommitmentRow], list[ServiceRow]],
) -> list[Correction]:
    found: list[Correction] = []
    for what, before, now in (
        ("engagement", frozen[0], current[0]),
        ("service", frozen[1], current[1]),
    ):
        old = {(r.code, r.declaration): r.result for r in before}
        new = {(r.code, r.declaration): r.result for r in now}
        for key in [*old, *(k for k in new if k not in old)]:
            a, b = old.get(key), new.get(key)
            if a != b and not (a == EMPTY and b is None) and not (a is None and b == EMPTY):
                found.append(Correction(what, key[0], key[1], a, b))
    return found


def _extra_corrections(
    frozen: tuple[list[ShareRow], list[CountRow]],
    current: tuple[list[ShareRow], list[CountRow]],
) -> list[Correction]:
    """Shares and counts the data give differently since the freeze, as corrections: a share's
    result is satisfied over answers (`Result.met`, `.volume`), and neither is given for a
    group too small to be shown; a count is its volume."""
    found: list[Correction] = []

    def share(row: ShareRow | None) -> Result | None:
        if row is None or not row.shown:
            return None
        return Result(row.numerator, row.denominator, None, None)

    def count(row: CountRow | None) -> Result | None:
        return None if row is None else Result(0, row.count, None, None)

    def seen(row: ShareRow | None) -> tuple[int, int] | bool | None:
        return None if row is None else ((row.numerator, row.denominator) if row.shown else False)

    old_s = {(r.code, r.group): r for r in frozen[0]}
    new_s = {(r.code, r.group): r for r in current[0]}
    for key in [*old_s, *(k for k in new_s if k not in old_s)]:
        a, b = old_s.get(key), new_s.get(key)
        if seen(a) != seen(b):
            found.append(Correction("satisfaction", key[0], key[1], share(a), share(b)))
    old_c = {(r.code, r.group): r for r in frozen[1]}
    new_c = {(r.code, r.group): r for r in current[1]}
    for key in [*old_c, *(k for k in new_c if k not in old_c)]:
        c, d = old_c.get(key), new_c.get(key)
        if (c.count if c else 0) != (d.count if d else 0):
            found.append(Correction("compte", key[0], key[1], count(c), count(d)))
    return found


def annual_report(
    fy: FiscalYear,
    *,
    table: ct.ClockTable | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> AnnualReport:
    """The report of `fy`: frozen figures when the year was frozen (with the corrections the
    events give since), else the figures the events give now."""
    today = today or timezone.localdate()
    stamp = data_stamp()
    if table is None:
        table = clocks_for(fy, as_of=today, stamp=stamp, progress=progress)
    if progress:
        progress("agrégation par engagement et par service")
    rows, services = compute_rows(fy, table)
    # Previous years that were frozen show the published figures.
    for back in (1, 2):
        year = fy.minus(back)
        snapshot = ReportSnapshot.objects.filter(fiscal_year=year.start_year).first()
        if snapshot is not None:
            frozen_prev, _services, _stamp = frozen_rows(snapshot)
            shares: dict[str, YearShare] = {}
            for row in frozen_prev:
                before = shares.get(row.code, YearShare(0, 0))
                shares[row.code] = YearShare(
                    before.met + row.result.met, before.volume + row.result.volume
                )
            rows = [
                _with_previous(row, back, shares.get(row.code) if row.measured else None)
                for row in rows
            ]
    organization = _organization(fy)
    satisfaction = shares_between(fy.first_day, fy.last_day)
    counts = counts_between(fy.first_day, fy.last_day)
    snapshot = ReportSnapshot.objects.filter(fiscal_year=fy.start_year).first()
    if snapshot is None:
        return AnnualReport(
            fiscal_year=fy,
            organization=organization,
            data=stamp,
            in_progress=not fy.is_closed(today),
            commitments=rows,
            services=services,
            satisfaction=satisfaction,
            counts=counts,
        )
    frozen_commitments, frozen_services, frozen_stamp = frozen_rows(snapshot)
    corrections = _corrections((frozen_commitments, frozen_services), (rows, services))
    extras = _extras_from(snapshot.content)
    if extras is not None:
        corrections += _extra_corrections(extras, (satisfaction, counts))
        satisfaction, counts = extras
    return AnnualReport(
        fiscal_year=fy,
        organization=organization,
        data=frozen_stamp,
        in_progress=False,
        commitments=frozen_commitments,
        services=frozen_services,
        freeze=Freeze(
            frozen_at=snapshot.frozen_at,
            frozen_by=snapshot.frozen_by_label,
            checksum=snapshot.checksum,
            data_as_of=frozen_stamp.recorded_at,
            last_event=frozen_stamp.last_event,
        ),
        current=stamp,
        corrections=corrections,
        satisfaction=satisfaction,
        counts=counts,
    )


def _with_previous(row: CommitmentRow, back: int, share: YearShare | None) -> CommitmentRow:
    previous = (share, row.previous[1]) if back == 1 else (row.previous[0], share)
    return replace(row, previous=previous)
