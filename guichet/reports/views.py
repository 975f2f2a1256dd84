"""The results pages: the live dashboard, the dossiers behind each figure, the annual report."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from guichet.accounts.decorators import signed_in_user, supervisor_required
from guichet.accounts.selectors import supervised_units
from guichet.catalogue.models import Commitment
from guichet.dossiers.selectors import dossiers_of_staff
from guichet.measures import shares_between
from guichet.replica import reads_from_replica
from guichet.reports import charts
from guichet.reports import clocktable as ct
from guichet.reports.annual import annual_report
from guichet.reports.dashboard import (
    AGE_BUCKETS,
    OPEN_KINDS,
    Dashboard,
    dashboard,
    drill,
    month_start,
    open_kind,
    refresh,
)
from guichet.reports.figures import Result, percent_text
from guichet.reports.fiscal import FiscalYear, FiscalYearError
from guichet.reports.formats import (
    CONTENT_TYPES,
    FORMATS,
    file_name,
    html_context,
)
from guichet.reports.formats import (
    render as render_report,
)
from guichet.reports.forms import (
    FORMAT_LABELS,
    WHAT_CHOICES,
    AnnualReportForm,
    DrillForm,
    FilterForm,
    default_period,
)

PAGE_SIZE = 50
MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc.")  # fmt: skip
MONTHS_LONG = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def percent(result: Result) -> str:
    return f"{percent_text(result.tenths, decimal=',')}\u00a0%" if result.volume else "—"


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", "\u202f")


def _link(query: dict[str, str], **more: object) -> str:
    params = {**query, **{k: str(v) for k, v in more.items() if v is not None}}
    return f"{reverse('reports:dossiers')}?{urlencode(params)}"


def _commitment_context(row: Any, query: dict[str, str], index: int) -> dict[str, Any]:
    c: Commitment = row.commitment
    r: Result = row.result
    pk = c.pk
    months = []
    for m in row.months:
        months.append(
            {
                "label": f"{MONTHS_LONG[m.first_day.month - 1]} {m.first_day.year}",
                "result": percent(m.result),
                "met": _number(m.result.met),
                "volume": _number(m.result.volume),
                **(
                    {
                        "link": _link(query, quoi="arretes", engagement=pk, mois=m.key),
                        "met_link": _link(query, quoi="respectes", engagement=pk, mois=m.key),
                        "missed_link": _link(
                            query, quoi="non-respectes", engagement=pk, mois=m.key
                        ),
                    }
                    if row.dossiers
                    else {}
                ),
                "missed": _number(m.result.missed),
            }
        )
    target = c.performance_target
    bars = [
        charts.Bar(
            label=f"{MONTHS_FR[m.first_day.month - 1]} {m.first_day.year % 100:02d}",
            value=None if not m.result.volume else (m.result.tenths or 0) / 10,
            text="" if not m.result.volume else f"{(m.result.tenths or 0) // 10}",
            hint=f"{percent(m.result)} ({m.result.met} sur {m.result.volume})",
        )
        for m in row.months
    ]
    chart = charts.bar_chart(
        chart_id=f"conformite-{index}",
        title=f"Délais respectés par mois : {c.label_fr}",
        description=(
            "Part des délais arrêtés chaque mois qui ont respecté l'engagement de "
            f"{c.target} {c.get_unit_display()}"
            + (f", face à la cible de {target} %." if target else ".")
            + " Les chiffres sont dans le tableau qui suit."
        ),
        bars=bars,
        maximum=100,
        ticks=[(0, "0 %"), (25, "25 %"), (50, "50 %"), (75, "75 %"), (100, "100 %")],
        target=(target, f"cible {target} %") if target else None,
    )
    return {
        "pk": pk,
        "anchor": f"engagement-{index}",
        "label": c.label_fr,
        "service": c.service.name_fr,
        "version": f"{c.service.declaration.code} {c.service.declaration.version}",
        "target": c.target,
        "performance_target": f"{target}\u00a0%" if target else "—",
        "result": percent(r),
        "below_target": bool(target and r.volume and (r.tenths or 0) < 10 * target),
        "met": _number(r.met),
        "missed": _number(r.missed),
        "volume": _number(r.volume),
        "median": _number(r.median),
        "p90": _number(r.p90),
        "links": row.dossiers
        and {
            "stopped": _link(query, quoi="arretes", engagement=pk),
            "met": _link(query, quoi="respectes", engagement=pk),
            "missed": _link(query, quoi="non-respectes", engagement=pk),
            "open": _link(query, quoi="ouverts", engagement=pk),
            **{k.replace("-", "_"): _link(query, quoi=k, engagement=pk) for k in OPEN_KINDS},
        },
        "open": {
            "overdue": _number(row.open.overdue),
            "at_risk": _number(row.open.at_risk),
            "on_track": _number(row.open.on_track),
            "suspended": _number(row.open.suspended),
            "total": _number(row.open.total),
        },
        "months": months,
        "chart": chart,
    }


def _backlog_context(board: Dashboard, query: dict[str, str]) -> dict[str, Any]:
    buckets = board.backlog
    top = max([b.total for b in buckets] + [1])
    step = _nice_step(top)
    maximum = 4 * step
    chart = charts.bar_chart(
        chart_id="anciennete",
        title="Dossiers ouverts selon leur âge",
        description=(
            "Nombre de dossiers ouverts selon les jours ouvrables déjà comptés sur leur délai "
            "le plus avancé ; la partie foncée de chaque barre compte ceux qui sont en retard. "
            "Les chiffres sont dans le tableau qui suit."
        ),
        bars=[
            charts.Bar(
                label=b.key.replace("+", " et +"),
                value=b.total,
                text=_number(b.total),
                part=b.overdue,
                hint=f"{b.label} : {b.total} dossiers, dont {b.overdue} en retard",
            )
            for b in buckets
        ],
        maximum=maximum,
        ticks=[(step * i, _number(step * i)) for i in range(5)],
        legend=[(charts.BAR, "pas en retard"), (charts.LATE, "en retard")],
    )
    return {
        "chart": chart,
        "rows": [
            {
                "label": b.label,
                "total": _number(b.total),
                "overdue": _number(b.overdue),
                "link": _link(query, quoi="age", age=b.key),
                "overdue_link": _link(query, quoi="en-retard", age=b.key),
            }
            for b in buckets
        ],
        "total": _number(sum(b.total for b in buckets)),
        "total_link": _link(query, quoi="age"),
    }


def _nice_step(top: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… such that four steps reach `top`."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if 4 * m * magnitude >= top:
                return m * magnitude
        magnitude *= 10


def _stamp_text(board_stamp: Any) -> str:
    if board_stamp.recorded_at is None:
        return "aucun événement inscrit"
    moment = timezone.localtime(board_stamp.recorded_at)
    return f"{moment:%Y-%m-%d à %H:%M} (dernier événement inscrit : n° {board_stamp.last_event})"


def _with_period(request: HttpRequest, today: date) -> QueryDict:
    """The query, with the default period filled in so that the form shows it."""
    data = request.GET.copy()
    start, end = default_period(today)
    if not data.get("du"):
        data["du"] = start.isoformat()
    if not data.get("au"):
        data["au"] = end.isoformat()
    return data


@require_safe
@supervisor_required
@reads_from_replica
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The results of the supervisor's units: compliance over a period, open dossiers now."""
    today = timezone.localdate()
    units = list(supervised_units(signed_in_user(request)))
    form = FilterForm(_with_period(request, today), units=units, today=today)
    context: dict[str, Any] = {"form": form, "units": units}
    if form.is_valid():
        stamp = refresh(today)
        board = dashboard(form.filters(), stamp)
        query = form.query()
        context.update(
            board=board,
            query=query,
            data_as_of=_stamp_text(stamp),
            rows=[_commitment_context(row, query, i) for i, row in enumerate(board.rows)],
            backlog=_backlog_context(board, query),
            period=(form.cleaned_data["du"], form.cleaned_data["au"]),
            open_link=_link(query, quoi="ouverts"),
            at_risk_percent=settings.GUICHET_AT_RISK_PERCENT,
            annual_link=reverse("reports:annual"),
            # The surveys' rows for the whole ministry (per service: the annual report).
            satisfaction=[
                row
                for row in shares_between(form.cleaned_data["du"], form.cleaned_data["au"])
                if not row.group
            ],
        )
    return render(
        request, "reports/dashboard.html", context, status=200 if form.is_valid() else 400
    )


OUTCOME_TEXT = {"met": "Respecté", "missed": "Non respecté"}
OPEN_TEXT = ("En retard", "À risque", "Dans les temps", "Suspendu")


@require_safe
@supervisor_required
@reads_from_replica
def dossiers_view(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one figure of the dashboard (the supervisor's units only)."""
    today = timezone.localdate()
    user = signed_in_user(request)
    units = list(supervised_units(user))
    form = DrillForm(_with_period(request, today), units=units, today=today)
    if not form.is_valid():
        return render(request, "reports/dossiers.html", {"form": form}, status=400)
    stamp = refresh(today)
    wanted = form.drill()
    page = form.cleaned_data.get("page") or 1
    clocks = drill(form.filters(), wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    total = clocks.total
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the end: the last page
        page = pages
        clocks = drill(form.filters(), wanted, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    shown = clocks.rows
    dossiers = {
        d.pk: d
        for d in dossiers_of_staff(user)
        .filter(pk__in=shown.dossier.tolist())
        .select_related("service")
    }
    commitments = {
        c.pk: c
        for c in Commitment.objects.filter(pk__in=set(shown.commitment.tolist())).select_related(
            "service"
        )
    }
    kinds = open_kind(shown)
    lines = []
    for i in range(len(shown)):
        dossier = dossiers.get(int(shown.dossier[i]))
        if dossier is None:  # outside the person's scope: never shown
            continue
        stopped = shown.outcome[i] == ct.STOPPED
        lines.append(
            {
                "number": dossier.number,
                "service": dossier.service.name_fr,
                "commitment": commitments[int(shown.commitment[i])].label_fr,
                "received": dossier.received_on,
                "start": ct.day_of(shown.start[i]),
                "stop": ct.day_of(shown.stop[i]) if stopped else None,
                "due": ct.day_of(shown.due[i]) if shown.due[i] != ct.NONE else None,
                "elapsed": int(shown.elapsed[i]),
                "target": int(shown.target[i]),
                "state": (
                    ("Respecté" if shown.met[i] else "Non respecté")
                    if stopped
                    else OPEN_TEXT[int(kinds[i])]
                ),
                "late": (stopped and not shown.met[i]) or (not stopped and kinds[i] == 0),
            }
        )
    query = form.query()
    drill_query = {
        **query,
        **{k: v for k, v in request.GET.items() if k in ("quoi", "engagement", "mois", "age")},
    }
    what = dict(WHAT_CHOICES)[wanted.what]
    described = [str(what)]
    if wanted.commitment is not None:
        c = Commitment.objects.filter(pk=wanted.commitment).select_related("service").first()
        if c is None:
            raise Http404("Engagement introuvable")
        described.append(f"{c.label_fr} ({c.service.name_fr})")
    if wanted.month is not None:
        first = month_start(wanted.month)
        described.append(f"arrêtés en {MONTHS_LONG[first.month - 1]} {first.year}")
    elif wanted.what in ("arretes", "respectes", "non-respectes"):
        start, end = form.cleaned_data["du"], form.cleaned_data["au"]
        described.append(f"arrêtés du {start.isoformat()} au {end.isoformat()}")
    if wanted.age:
        described.append({b[0]: b[1] for b in AGE_BUCKETS}[wanted.age])
    return render(
        request,
        "reports/dossiers.html",
        {
            "form": form,
            "described": described,
            "lines": lines,
            "total": total,
            "page": page,
            "pages": pages,
            "previous": f"?{urlencode({**drill_query, 'page': page - 1})}" if page > 1 else "",
            "next": f"?{urlencode({**drill_query, 'page': page + 1})}" if page < pages else "",
            "back": f"{reverse('reports:dashboard')}?{urlencode(query)}",
            "data_as_of": _stamp_text(stamp),
            "stopped": wanted.what in ("arretes", "respectes", "non-respectes"),
        },
    )


@require_safe
@supervisor_required
@reads_from_replica
def annual_view(request: HttpRequest) -> HttpResponse:
    """The annual management report of a fiscal year, with its downloads."""
    today = timezone.localdate()
    form = AnnualReportForm(request.GET or None, today=today)
    fy = (
        form.fiscal_year() if form.is_valid() else FiscalYear.parse(form.fields["exercice"].initial)
    )
    report = annual_report(fy, today=today)
    return render(
        request,
        "reports/annual.html",
        {
            "form": form,
            "fiscal_year": fy,
            **html_context(report),
            "downloads": [
                (FORMAT_LABELS[f], reverse("reports:annual_file", args=[fy.label, f]))
                for f in ("csv", "xlsx", "pdf", "html")
            ],
        },
    )


@require_safe
@supervisor_required
@reads_from_replica
def annual_file_view(request: HttpRequest, fiscal_year: str, fmt: str) -> HttpResponse:
    """The annual report as a file: the same bytes as `guichet report`."""
    if fmt not in FORMATS:
        raise Http404("Format inconnu")
    try:
        fy = FiscalYear.parse(fiscal_year)
    except FiscalYearError:
        raise Http404("Exercice inconnu") from None
    if not fy.has_started(timezone.localdate()):
        raise Http404("Exercice à venir")
    report = annual_report(fy)
    response = HttpResponse(render_report(report, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name(report, fmt)}"'
    return response
