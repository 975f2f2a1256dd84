"""The annual management report: hand-computed figures, versions, formats, freezing, the CLI."""

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from guichet.catalogue.models import Declaration
from guichet.dossiers.models import DossierEvent, EventKind
from guichet.reports.annual import CommitmentRow, annual_report
from guichet.reports.figures import Result
from guichet.reports.fiscal import FiscalYear
from guichet.reports.formats import render
from guichet.reports.models import ReportSnapshot
from guichet.reports.services import ReportError, report_freeze
from guichet.reports.tests.builders import insert_dossier
from guichet.reports.tests.conftest import V2_LABEL
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db

D = date.fromisoformat
DECIDED = EventKind.DECIDED
NOTICE = EventKind.INCOMPLETENESS_NOTICE
ITEMS = EventKind.ITEMS_RECEIVED
FY = FiscalYear(2026)
V1_LABEL = "Décision à la suite d'une demande de certificat d'acceptation du Québec pour études"
NOW = "2027-05-15 10:00 -04:00"


@pytest.fixture
def history(personas: Personas, micc_v2: Declaration) -> None:
    """Dossiers whose figures are counted by hand below (see test_clocktable for the days)."""
    suspension = [(NOTICE, D("2027-01-05")), (ITEMS, D("2027-01-12"))]
    # Version 2023-04 (20 days): received before 2027-01-01.
    insert_dossier("caq-etudiant", D("2025-06-02"), [(DECIDED, D("2025-06-20"))])  # 14: met
    insert_dossier("caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-25"))])  # 20: met
    insert_dossier("caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-26"))])  # 21
    insert_dossier("caq-etudiant", D("2026-12-18"), [*suspension, (DECIDED, D("2027-02-01"))])
    insert_dossier("caq-etudiant", D("2026-12-18"), [*suspension, (DECIDED, D("2027-02-02"))])
    insert_dossier("caq-etudiant", D("2026-12-18"), [(EventKind.WITHDRAWN, D("2027-01-10"))])
    insert_dossier("caq-etudiant", D("2027-01-04"), [(NOTICE, D("2027-01-05"))])  # still open
    # Version 2027-01 (15 days, reworded).
    insert_dossier("caq-etudiant", D("2027-01-05"), [(DECIDED, D("2027-01-26"))])  # 15: met
    insert_dossier("caq-etudiant", D("2027-03-08"), [(DECIDED, D("2027-03-31"))])  # 15: met
    # Stops in the next fiscal year: counted there (16 days, missed).
    insert_dossier("caq-etudiant", D("2027-03-08"), [(DECIDED, D("2027-04-01"))])
    insert_dossier(
        "csq-travailleur-permanent", D("2026-12-18"), [(EventKind.ACKNOWLEDGED, D("2027-01-05"))]
    )


def by_code(report_rows: list[CommitmentRow], code: str, version: str) -> CommitmentRow:
    [row] = [r for r in report_rows if r.code == code and r.declaration == f"micc {version}"]
    return row


@time_machine.travel(NOW, tick=False)
def test_figures_by_hand(history: None) -> None:
    report = annual_report(FY)
    assert not report.in_progress and report.freeze is None
    v1 = by_code(report.commitments, "caq-etudes-decision", "2023-04")
    v2 = by_code(report.commitments, "caq-etudes-decision", "2027-01")
    # 20, 21, 20 and 21 days: two met of four; the withdrawn dossier is not counted.
    assert (v1.label, v1.target, v1.performance_target) == (V1_LABEL, 20, 85)
    assert v1.result == Result(met=2, volume=4, median=20, p90=21)
    assert v1.result.tenths == 500
    assert v1.gap_tenths == -350
    # Each version keeps its wording and targets.
    assert (v2.label, v2.target, v2.performance_target) == (V2_LABEL, 15, 90)
    assert v2.result == Result(met=2, volume=2, median=15, p90=15)
    # The previous years are those of the code, every version together: one met in 2025-2026.
    assert v1.previous[0] is not None and (v1.previous[0].met, v1.previous[0].volume) == (1, 1)
    assert v1.previous[1] is None
    acknowledgment = by_code(report.commitments, "csq-tp-ouverture", "2023-04")
    assert acknowledgment.result == Result(met=1, volume=1, median=6, p90=6)
    phone = by_code(report.commitments, "renseignements-telephone-reponse", "2023-04")
    # Measured by the contact centre (guichet/contact/measures.py), with no call in the year.
    assert phone.measured and phone.result.volume == 0
    # Processing times per service: reception to decision, suspended days excluded.
    times = {(s.code, s.declaration): s.result for s in report.services}
    assert times == {
        ("caq-etudiant", "micc 2023-04"): Result(met=0, volume=4, median=20, p90=21),
        ("caq-etudiant", "micc 2027-01"): Result(met=0, volume=2, median=15, p90=15),
    }

    following = annual_report(FY.minus(-1))
    v2_next = by_code(following.commitments, "caq-etudes-decision", "2027-01")
    assert v2_next.result == Result(met=0, volume=1, median=16, p90=16)
    assert following.in_progress
    # 2026-2027 for the code: 4 met of 6 (both versions) = 66.7 %.
    assert v2_next.previous[0] is not None and v2_next.previous[0].tenths == 667
    assert v2_next.previous[1] is not None and v2_next.previous[1].volume == 1


@time_machine.travel(NOW, tick=False)
def test_csv_is_the_same_bytes_for_the_same_data(history: None) -> None:
    first = render(annual_report(FY), "csv")
    assert render(annual_report(FY), "csv") == first
    rows = list(csv.reader(io.StringIO(first.decode("utf-8"))))
    assert rows[0] == [
        "Rapport",
        "Rapport annuel de gestion — résultats de la déclaration de services",
    ]
    assert rows[2] == ["Exercice", "2026-2027 (du 2026-04-01 au 2027-03-31)"]
    last = DossierEvent.objects.order_by("-pk").first()
    assert last is not None
    assert rows[3][1].endswith(f"(dernier événement inscrit : n° {last.pk})")
    assert rows[4] == ["État", "non figé : les chiffres suivent les données"]
    assert rows[5][0] == "Règle de calcul"
    header = rows.index(["Résultats par engagement"]) + 1
    assert rows[header][:8] == [
        "Code de l'engagement",
        "Déclaration",
        "Service",
        "Engagement publié",
        "Délai",
        "Unité",
        "Cible de performance (%)",
        "Résultat (%)",
    ]
    caq = [r for r in rows if r[:2] == ["caq-etudes-decision", "micc 2023-04"]][0]
    assert caq[3:] == [
        V1_LABEL,
        "20",
        "jours ouvrables",
        "85",
        "50.0",
        "2",
        "4",
        "20",
        "21",
        "-35.0",
        "100.0",
        "1",
        "",
        "",
        "",
        "",
    ]
    assert first.endswith(b"\r\n")
    # New data, new bytes: another decision changes the figures and the date of the data.
    insert_dossier("caq-etudiant", D("2027-01-05"), [(DECIDED, D("2027-01-06"))])
    assert render(annual_report(FY), "csv") != first


@time_machine.travel(NOW, tick=False)
def test_other_formats(history: None, tmp_path: Path) -> None:
    report = annual_report(FY)
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(render(report, "xlsx"))
    book = load_workbook(xlsx)
    assert book.sheetnames == [
        "Rapport",
        "Engagements",
        "Délais par service",
        "Satisfaction de la clientèle",
        "Orientations",
    ]
    sheet = book["Engagements"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    caq = [v for v in values if v[:2] == ["caq-etudes-decision", "micc 2023-04"]][0]
    assert caq[7:12] == [50.0, 2, 4, 20, 21]
    html = render(report, "html").decode("utf-8")
    assert '<html lang="fr">' in html
    assert "50,0\u00a0%" in html
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(report, "pdf"))
    reader = PdfReader(pdf)
    assert reader.metadata is not None
    assert (reader.metadata.title or "").startswith("Rapport annuel de gestion")
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "fr"


@time_machine.travel(NOW, tick=False)
def test_a_frozen_year_keeps_its_figures_and_lists_corrections(history: None) -> None:
    snapshot = report_freeze(fiscal_year=FY, actor=None, actor_label="Sam Superviseur")
    assert snapshot.intact and len(snapshot.checksum) == 64
    frozen_csv = render(annual_report(FY), "csv").decode("utf-8")
    assert "figé le 2027-05-15T10:00:00-04:00 par Sam Superviseur" in frozen_csv
    assert "Corrections depuis le gel" in frozen_csv

    # A late entry: a decision of 2027-02-10 recorded after the freeze.
    insert_dossier("caq-etudiant", D("2027-01-05"), [(DECIDED, D("2027-02-10"))])
    report = annual_report(FY)
    v2 = by_code(report.commitments, "caq-etudes-decision", "2027-01")
    assert v2.result == Result(met=2, volume=2, median=15, p90=15)  # as published
    [correction] = [c for c in report.corrections if c.what == "engagement"]
    assert (correction.code, correction.declaration) == ("caq-etudes-decision", "micc 2027-01")
    assert correction.frozen == Result(met=2, volume=2, median=15, p90=15)
    assert correction.current == Result(met=2, volume=3, median=15, p90=26)
    # The next year's report shows the published result of the frozen year.
    following = annual_report(FY.minus(-1))
    v2_next = by_code(following.commitments, "caq-etudes-decision", "2027-01")
    assert v2_next.previous[0] is not None and v2_next.previous[0].volume == 6

    with pytest.raises(ReportError, match="déjà figé"):
        report_freeze(fiscal_year=FY, actor=None)
    with pytest.raises(ReportError, match="n'est pas terminé"):
        report_freeze(fiscal_year=FY.minus(-1), actor=None)
    assert ReportSnapshot.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_altered_snapshot_is_refused(history: None, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = report_freeze(fiscal_year=FY, actor=None)
    content = dict(snapshot.content)
    content["commitments"] = []
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(content=content)
    run = run_command(capsys, "report", "--fiscal-year", "2026-2027")
    assert run.code == 2
    assert run.out == ""
    assert "ne correspond plus à son empreinte SHA-256" in run.err


# --- The command ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_command_prints_only_the_csv_and_progress_on_stderr(
    history: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_command(capsys, "report", "--fiscal-year", "2026-2027")
    assert run.code == 0
    assert run.out.encode("utf-8") == render(annual_report(FY), "csv")
    assert "lecture des dossiers" in run.err
    assert "terminé" in run.err
    quiet = run_command(capsys, "report", "--fiscal-year", "2026-2027", "-v", "0")
    assert quiet.err == ""


@time_machine.travel(NOW, tick=False)
def test_command_writes_files_and_freezes(
    history: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "rapport.xlsx"
    run = run_command(
        capsys, "report", "--fiscal-year", "2026-2027", "--format", "xlsx", "--output", str(out)
    )
    assert (run.code, run.out) == (0, "")
    assert out.read_bytes().startswith(b"PK")
    run = run_command(capsys, "report", "--fiscal-year", "2026-2027", "--freeze")
    assert run.code == 0
    assert "figé ; empreinte SHA-256" in run.err
    assert "figé le 2027-05-15" in run.out
    again = run_command(capsys, "report", "--fiscal-year", "2026-2027", "--freeze")
    assert again.code == 2
    assert again.err.startswith("guichet report : l'exercice 2026-2027 est déjà figé")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--fiscal-year", "2025-2027"],
            "guichet report : exercice « 2025-2027 » invalide : un exercice va du 1er avril au "
            "31 mars de l'année suivante (p. ex. 2025-2026)\n",
        ),
        (
            ["--fiscal-year", "2025"],
            "guichet report : exercice « 2025 » invalide : écrivez deux années qui se suivent, "
            "p. ex. 2025-2026\n",
        ),
        (
            ["--fiscal-year", "2025-2026", "--format", "pdf"],
            "guichet report : le format pdf s'écrit dans un fichier : ajoutez --output\n",
        ),
        (
            ["--fiscal-year", "2025-2026", "--format", "docx"],
            "guichet report : format « docx » inconnu : choisissez csv, html, pdf ou xlsx\n",
        ),
    ],
)
def test_command_errors_are_one_french_line_and_exit_2(
    micc: Declaration, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    run = run_command(capsys, "report", *args)
    assert (run.code, run.out, run.err) == (2, "", message)


@time_machine.travel(NOW, tick=False)
def test_command_refuses_a_year_that_has_not_started(
    micc: Declaration, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_command(capsys, "report", "--fiscal-year", "2027-2028")
    assert run.code == 0  # in progress: provisional figures
    run = run_command(capsys, "report", "--fiscal-year", "2028-2029")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "guichet report : l'exercice 2028-2029 n'a pas commencé (il commence le 2028-04-01)\n"
    )


def test_command_without_declaration(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(capsys, "report", "--fiscal-year", "2025-2026")
    assert run.code == 2
    assert run.err.startswith("guichet report : aucune déclaration chargée")
