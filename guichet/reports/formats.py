"""The annual report as CSV, HTML, PDF (tagged PDF/UA-1) and XLSX.

Every format renders the same `ReportDocument`: a header that says what the figures are and how
they were computed, then tables. CSV is for machines and for checking: fixed column order, fixed
row order, numbers with a decimal point, RFC 4180 line endings, and no "generated at" time, so
the same data always give the same bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from guichet.catalogue.models import CommitmentUnit
from guichet.contact.telephony import MESSAGES_RULE, SERVICE_LEVEL_RULE
from guichet.reports.annual import (
    COUNTING_RULE,
    PROCESSING_RULE,
    AnnualReport,
    DataStamp,
    YearShare,
)
from guichet.reports.figures import Result, percent_text

FORMATS = ("csv", "html", "pdf", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TITLE = "Rapport annuel de gestion — résultats de la déclaration de services"
SHEETS = {"engagements": "Engagements", "services": "Délais par service"}
UNITS: dict[str, str] = {
    CommitmentUnit.BUSINESS_DAYS.value: "jours ouvrables",
    CommitmentUnit.SECONDS.value: "secondes",
}
# After a median or a percentile in the HTML and PDF tables, whose rows mix units.
SHORT_UNITS: dict[str, str] = {
    CommitmentUnit.BUSINESS_DAYS.value: "j. ouvr.",
    CommitmentUnit.SECONDS.value: "s",
}


@dataclass(frozen=True)
class Percent:
    """A share in tenths of a percent (875 is 87.5 %)."""

    tenths: int


@dataclass(frozen=True)
class Points:
    """A difference of shares in tenths of a percentage point."""

    tenths: int


Cell = str | int | Percent | Points | None


@dataclass
class Table:
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class ReportDocument:
    title: str
    fiscal_year: str
    header: list[tuple[str, str]]
    tables: list[Table]


def _instant(moment: datetime | None) -> str:
    if moment is None:
        return "aucune donnée"
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _data(stamp: DataStamp) -> str:
    if stamp.last_event is None:
        return "aucun événement inscrit"
    return f"{_instant(stamp.recorded_at)} (dernier événement inscrit : n° {stamp.last_event})"


def _percent(tenths: int | None) -> Percent | None:
    return None if tenths is None else Percent(tenths)


def _share(share: YearShare | None) -> tuple[Cell, Cell]:
    if share is None:
        return None, None
    return _percent(share.tenths), share.volume


def _figures(result: Result | None, what: str = "") -> list[Cell]:
    if result is None:
        return [None, None, None, None]
    if what == "compte":  # a count has a volume only
        return [None, result.volume, None, None]
    return [_percent(result.tenths), result.volume, result.median, result.p90]


def document(report: AnnualReport) -> ReportDocument:
    fy = report.fiscal_year
    y1, y2 = report.years
    if report.freeze is not None:
        f = report.freeze
        state = (
            f"figé le {_instant(f.frozen_at)}"
            + (f" par {f.frozen_by}" if f.frozen_by else "")
            + f" ; empreinte SHA-256 du contenu figé : {f.checksum}"
        )
    elif report.in_progress:
        state = "provisoire : l'exercice n'est pas terminé"
    else:
        state = "non figé : les chiffres suivent les données"
    header = [
        ("Rapport", TITLE),
        ("Organisme", report.organization),
        ("Exercice", f"{fy.label} (du {fy.first_day.isoformat()} au {fy.last_day.isoformat()})"),
        ("Données au", _data(report.data)),
        ("État", state),
        ("Règle de calcul", COUNTING_RULE),
        ("Délais de traitement", PROCESSING_RULE),
        ("Niveau de service", SERVICE_LEVEL_RULE),
        ("Messages vocaux et courriels", MESSAGES_RULE),
    ]
    if report.current is not None:
        header.append(("Corrections : données au", _data(report.current)))

    commitments = Table(
        key="engagements",
        title="Résultats par engagement",
        note=(
            "Un engagement mesuré selon une version de la déclaration garde le libellé et les "
            f"cibles de cette version. Les résultats {y1.label} et {y2.label} sont ceux du même "
            "code d'engagement, toutes versions confondues."
        ),
        columns=[
            "Code de l'engagement",
            "Déclaration",
            "Service",
            "Engagement publié",
            "Délai",
            "Unité",
            "Cible de performance (%)",
            "Résultat (%)",
            "Respectés",
            "Volume",
            "Médiane (dans l'unité)",
            "90e centile (dans l'unité)",
            "Écart à la cible (points)",
            f"Résultat {y1.label} (%)",
            f"Volume {y1.label}",
            f"Résultat {y2.label} (%)",
            f"Volume {y2.label}",
            "Remarque",
            "Explication des écarts",
        ],
    )
    for row in report.commitments:
        r = row.result
        if not row.measured:
            remark = "mesuré hors de Guichet (attente au téléphone)"
        elif r.volume == 0:
            remark = "aucun délai arrêté pendant l'exercice"
        else:
            remark = ""
        commitments.rows.append(
            [
                row.code,
                row.declaration,
                row.service_name,
                row.label,
                row.target,
                UNITS.get(row.unit, row.unit),
                row.performance_target,
                _percent(r.tenths),
                r.met if r.volume else None,
                r.volume if row.measured else None,
                r.median,
                r.p90,
                None if row.gap_tenths is None else Points(row.gap_tenths),
                *_share(row.previous[0]),
                *_share(row.previous[1]),
                remark,
                "",
            ]
        )

    services = Table(
        key="services",
        title="Délais de traitement par service",
        note=PROCESSING_RULE,
        columns=[
            "Code du service",
            "Déclaration",
            "Service",
            "Décisions",
            "Médiane (jours ouvrables)",
            "90e centile (jours ouvrables)",
        ],
        rows=[
            [s.code, s.declaration, s.name, s.result.volume, s.result.median, s.result.p90]
            for s in report.services
        ],
    )
    tables = [commitments, services]
    if report.freeze is not None:
        corrections = Table(
            key="corrections",
            title="Corrections depuis le gel",
            note=(
                "Chiffres que les événements donnent autrement aujourd'hui : le rapport ci-dessus "
                "reste celui qui a été figé."
                if report.corrections
                else "Aucune : les événements donnent aujourd'hui les mêmes chiffres."
            ),
            columns=[
                "Type",
                "Code",
                "Déclaration",
                "Résultat figé (%)",
                "Volume figé",
                "Médiane figée",
                "90e centile figé",
                "Résultat actuel (%)",
                "Volume actuel",
                "Médiane actuelle",
                "90e centile actuel",
            ],
            rows=[
                [
                    c.what,
                    c.code,
                    c.declaration,
                    *_figures(c.frozen, c.what),
                    *_figures(c.current, c.what),
                ]
                for c in report.corrections
            ],
        )
        tables.append(corrections)
    tables.append(satisfaction_table(report))
    tables.append(
        Table(
            key="comptes",
            title="Orientations",
            note="Personnes dirigées vers un organisme partenaire pendant l'exercice.",
            columns=["Code", "Mesure", "Détail", "Nombre"],
            rows=[[c.code, c.label, c.group or "Total", c.count] for c in report.counts],
        )
    )
    return ReportDocument(TITLE, fy.label, header, tables)


SATISFACTION_NOTE = (
    "Sondages de satisfaction : part des réponses « tout à fait » ou « plutôt » d'accord "
    "(ou satisfait), réponses « ne s'applique pas » exclues, avec son intervalle de confiance "
    "à 95 % (Wilson). Réponses anonymes : aucun résultat n'est montré pour un groupe de moins "
    "de 5 réponses. Taux de réponse : invitations répondues sur invitations envoyées."
)


def satisfaction_table(report: AnnualReport) -> Table:
    """The survey rows (codes "satisfaction-…"), for the whole ministry and per service."""
    table = Table(
        key="satisfaction",
        title="Satisfaction de la clientèle",
        note=SATISFACTION_NOTE,
        columns=[
            "Code",
            "Question",
            "Service",
            "Résultat (%)",
            "Borne inférieure (%)",
            "Borne supérieure (%)",
            "Satisfaits",
            "Réponses",
            "Remarque",
        ],
    )
    for row in report.satisfaction:
        table.rows.append(
            [
                row.code,
                row.label,
                row.group or "Ensemble des services",
                _percent(row.share_tenths),
                _percent(row.low_tenths),
                _percent(row.high_tenths),
                row.numerator if row.shown else None,
                row.denominator if row.shown else None,
                "" if row.shown else "moins de 5 réponses : non diffusé",
            ]
        )
    return table


# --- CSV -------------------------------------------------------------------------------------


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Percent | Points):
        return percent_text(cell.tenths)
    return str(cell)


def render_csv(doc: ReportDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for label, value in doc.header:
        writer.writerow([label, value])
    for table in doc.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8")


# --- HTML and PDF ----------------------------------------------------------------------------


def french_cell(cell: Cell) -> str:
    """A cell as French prose writes it: 87,5 %, −2,5 pts, thin spaces in thousands."""
    if cell is None:
        return "—"
    if isinstance(cell, Percent):
        return f"{percent_text(cell.tenths, decimal=',')}\u00a0%"
    if isinstance(cell, Points):
        text = percent_text(cell.tenths, decimal=",").replace("-", "−")
        return f"{'+' if cell.tenths > 0 else ''}{text}\u00a0pts"
    if isinstance(cell, int):
        return f"{cell:,}".replace(",", "\u202f")
    return cell


def _share_text(share: YearShare | None) -> str:
    if share is None or not share.volume:
        return "—"
    return f"{french_cell(_percent(share.tenths))} ({french_cell(share.volume)})"


def _with_unit(value: int | None, unit: str) -> str:
    if value is None:
        return french_cell(value)
    return f"{french_cell(value)}\u00a0{SHORT_UNITS.get(unit, unit)}"


def html_context(report: AnnualReport) -> dict[str, Any]:
    """What the HTML and PDF documents (and the report page) show: the same figures as the CSV,
    with fewer, wider columns to be read on a page."""
    doc = document(report)
    y1, y2 = report.years
    commitments = []
    for row in report.commitments:
        r = row.result
        if not row.measured:
            remark = "mesuré hors de Guichet (attente au téléphone)"
        elif r.volume == 0:
            remark = "aucun délai arrêté pendant l'exercice"
        else:
            remark = ""
        commitments.append(
            {
                "label": row.label,
                "about": f"{row.service_name} · {row.code} · {row.declaration}",
                "remark": remark,
                "delay": f"{row.target}\u00a0{UNITS.get(row.unit, row.unit)}",
                "target": f"{row.performance_target}\u00a0%" if row.performance_target else "—",
                "result": french_cell(_percent(r.tenths)),
                "met": f"{french_cell(r.met)} / {french_cell(r.volume)}" if r.volume else "—",
                "median": _with_unit(r.median, row.unit),
                "p90": _with_unit(r.p90, row.unit),
                "gap": "—" if row.gap_tenths is None else french_cell(Points(row.gap_tenths)),
                "previous": [_share_text(row.previous[0]), _share_text(row.previous[1])],
            }
        )
    satisfaction = [
        {
            "code": row.code,
            "label": row.label,
            "group": row.group or "Ensemble des services",
            "result": french_cell(_percent(row.share_tenths)) if row.shown else "—",
            "interval": (
                f"{french_cell(_percent(row.low_tenths))} à "
                f"{french_cell(_percent(row.high_tenths))}"
                if row.shown
                else "moins de 5 réponses : non diffusé"
            ),
            "count": f"{row.numerator} / {row.denominator}" if row.shown else "—",
        }
        for row in report.satisfaction
    ]
    return {
        "counts": report.counts,
        "satisfaction": satisfaction,
        "satisfaction_note": SATISFACTION_NOTE,
        "doc": doc,
        "header": doc.header[1:],
        "years": (y1.label, y2.label),
        "commitments": commitments,
        "commitments_note": doc.tables[0].note,
        "processing_note": PROCESSING_RULE,
        "services": [
            {
                "name": s.name,
                "about": f"{s.code} · {s.declaration}",
                "volume": french_cell(s.result.volume),
                "median": french_cell(s.result.median),
                "p90": french_cell(s.result.p90),
            }
            for s in report.services
        ],
        "frozen": report.freeze is not None,
        "corrections_note": doc.tables[2].note if report.freeze is not None else "",
        "corrections": [
            {
                "what": c.what,
                "code": c.code,
                "declaration": c.declaration,
                "frozen": [french_cell(x) for x in _figures(c.frozen, c.what)],
                "current": [french_cell(x) for x in _figures(c.current, c.what)],
            }
            for c in report.corrections
        ],
    }


def render_html(report: AnnualReport) -> bytes:
    return render_to_string("reports/annual_document.html", html_context(report)).encode("utf-8")


def render_pdf(report: AnnualReport) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report).decode("utf-8")).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


# --- XLSX ------------------------------------------------------------------------------------


def render_xlsx(doc: ReportDocument, *, created: datetime | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    about = book.active
    assert about is not None  # noqa: S101 (a new workbook has one sheet)
    about.title = "Rapport"
    bold = Font(bold=True)
    about.append([doc.title])
    about["A1"].font = Font(bold=True, size=14)
    for label, value in doc.header[1:]:
        about.append([label, value])
        about.cell(row=about.max_row, column=1).font = bold
        about.cell(row=about.max_row, column=2).alignment = Alignment(wrap_text=True)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 110
    for table in doc.tables:
        sheet = book.create_sheet(SHEETS.get(table.key, table.title[:31]))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([table.note])
        sheet.append(table.columns)
        for cell in sheet[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_xlsx_value(c) for c in row])
            for cell, given in zip(sheet[sheet.max_row], row, strict=True):
                if isinstance(given, Percent | Points):
                    cell.number_format = "0.0"
        sheet.freeze_panes = "B4"
        for i, title in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = 50 if len(title) > 40 else 16
    # Fixed document properties: the same data give the same workbook metadata.
    # openpyxl writes naive times: the local time of the data.
    moment = (created or datetime(2000, 1, 1, tzinfo=UTC)).replace(tzinfo=None, microsecond=0)
    book.properties.created = moment
    book.properties.modified = moment
    book.properties.creator = "Guichet"
    book.properties.title = f"{doc.title} — {doc.fiscal_year}"
    book.properties.language = "fr-CA"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell) -> str | int | float | None:
    if isinstance(cell, Percent | Points):
        return cell.tenths / 10
    return cell


def render(report: AnnualReport, fmt: str) -> bytes:
    doc = document(report)
    if fmt == "csv":
        return render_csv(doc)
    if fmt == "html":
        return render_html(report)
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        stamp = report.data.recorded_at
        return render_xlsx(doc, created=timezone.localtime(stamp) if stamp else None)
    raise ValueError(f"unknown format {fmt}")


def file_name(report: AnnualReport, fmt: str) -> str:
    return f"rapport-annuel-{report.fiscal_year.label}.{fmt}"
