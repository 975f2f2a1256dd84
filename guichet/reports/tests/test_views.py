"""The dashboard, its drill-downs and the annual report pages: who sees what, and the figures."""

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.catalogue.models import Commitment
from guichet.dossiers.models import EventKind
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.reports.formats import render
from guichet.reports.tests.builders import client_for, insert_dossier
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db

D = date.fromisoformat
DECIDED = EventKind.DECIDED
NOW = "2027-05-15 10:00 -04:00"
PERIOD = {"du": "2026-04-01", "au": "2027-03-31"}


@pytest.fixture
def data(personas: Personas) -> dict[str, Any]:
    """Dossiers of the supervisor's unit (caq) and of another unit (csq)."""
    met = insert_dossier("caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-25"))])
    missed = insert_dossier(
        "caq-etudiant", D("2026-12-18"), [(DECIDED, D("2027-01-26"))], channel="mail"
    )
    late_open = insert_dossier("caq-etudiant", D("2027-03-01"))  # 52 days on 2027-05-15
    fresh = insert_dossier("caq-etudiant", D("2027-05-10"))  # 4 days: on track
    waiting = insert_dossier(
        "caq-etudiant", D("2027-05-03"), [(EventKind.INCOMPLETENESS_NOTICE, D("2027-05-04"))]
    )
    other_unit = insert_dossier(
        "csq-travailleur-permanent", D("2026-12-18"), [(EventKind.ACKNOWLEDGED, D("2027-01-05"))]
    )
    return {
        "met": met,
        "missed": missed,
        "late_open": late_open,
        "fresh": fresh,
        "waiting": waiting,
        "other_unit": other_unit,
        "caq": Commitment.objects.get(code="caq-etudes-decision"),
        "csq": Commitment.objects.get(code="csq-tp-ouverture"),
    }


def numbers(html: str) -> list[str]:
    return re.findall(r"/bureau/dossiers/([^/]+)/", html)


# --- Access ---------------------------------------------------------------------------------------

PAGES = ["/resultats/", "/resultats/dossiers/?quoi=arretes", "/resultats/rapport-annuel/"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("path", [*PAGES, "/resultats/rapport-annuel/2026-2027.csv"])
@pytest.mark.parametrize("who", ["owner", "other_client", "agent", "other_agent"])
def test_only_supervisors_see_results(
    personas: Personas, data: dict[str, Any], path: str, who: str
) -> None:
    response = client_for(personas.all()[who]).get(path)
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_log_in(data: dict[str, Any], path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@time_machine.travel(NOW, tick=False)
def test_the_navigation_offers_results_to_supervisors_only(personas: Personas) -> None:
    assert "/resultats/" in client_for(personas.supervisor).get("/").content.decode()
    assert "/resultats/" not in client_for(personas.agent).get("/").content.decode()


# --- The dashboard ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_dashboard_shows_the_figures_of_the_supervisors_units(
    personas: Personas, data: dict[str, Any]
) -> None:
    response = client_for(personas.supervisor).get("/resultats/", PERIOD)
    assert response.status_code == 200
    board = response.context["board"]
    [row] = [r for r in board.rows if r.commitment == data["caq"]]
    assert (row.result.met, row.result.volume, row.result.median, row.result.p90) == (
        1,
        2,
        20,
        21,
    )
    # On 2027-05-15: received 2027-03-01 is overdue (52 counted days of 20), 2027-05-10 is on
    # track (4), and the incomplete one is suspended.
    assert (row.open.overdue, row.open.at_risk, row.open.on_track, row.open.suspended) == (
        1,
        0,
        1,
        1,
    )
    # Another unit's commitment is not there.
    assert data["csq"] not in [r.commitment for r in board.rows]
    # The months of the period, each with its figures.
    january = [m for m in row.months if m.key == "2027-01"][0]
    assert (january.result.met, january.result.volume) == (1, 2)
    assert [b.total for b in board.backlog] == [2, 0, 0, 0, 1, 0, 0]
    assert [b.overdue for b in board.backlog] == [0, 0, 0, 0, 1, 0, 0]
    html = response.content.decode()
    assert "50,0\u00a0%" in html
    assert html.count('role="img"') == len(board.rows) + 1  # one chart each, plus the backlog
    assert "<style" not in html and " style=" not in html  # the CSP forbids both


@time_machine.travel(NOW, tick=False)
def test_dashboard_equals_the_annual_report(personas: Personas, data: dict[str, Any]) -> None:
    """Same events, same function: the dashboard over a fiscal year gives the report's row."""
    for i in range(30):
        day = D("2026-06-01")
        insert_dossier("caq-etudiant", day, [(DECIDED, D(f"2026-{7 + i % 5:02d}-{1 + i:02d}"))])
    board = client_for(personas.supervisor).get("/resultats/", PERIOD).context["board"]
    [row] = [r for r in board.rows if r.commitment == data["caq"]]
    report = annual_report(FiscalYear(2026))
    [reported] = [r for r in report.commitments if r.commitment_id == data["caq"].pk]
    assert row.result == reported.result
    assert row.result.volume == 32


@time_machine.travel(NOW, tick=False)
def test_filters_by_channel_and_unit(personas: Personas, data: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    board = client.get("/resultats/", {**PERIOD, "canal": "mail"}).context["board"]
    [row] = [r for r in board.rows if r.commitment == data["caq"]]
    assert (row.result.met, row.result.volume) == (0, 1)
    # A unit the supervisor does not supervise is not a choice.
    response = client.get("/resultats/", {**PERIOD, "unite": "csq"})
    assert response.status_code == 400
    assert "Corrigez ce qui suit" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_period_that_ends_before_it_starts_is_an_error(
    personas: Personas, data: dict[str, Any]
) -> None:
    response = client_for(personas.supervisor).get(
        "/resultats/", {"du": "2027-03-31", "au": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "La fin de la période précède son début." in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_new_events_show_on_the_next_look(personas: Personas, data: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    board = client.get("/resultats/", PERIOD).context["board"]
    [row] = [r for r in board.rows if r.commitment == data["caq"]]
    assert row.result.volume == 2
    late = data["late_open"]
    # Decided on Friday 2027-03-19: 14 counted days, met.
    late.events.create(seq=2, kind=DECIDED, occurred_on=D("2027-03-19"), actor_label="test")
    late.state = "decided"
    late.save(update_fields=["state"])
    board = client.get("/resultats/", PERIOD).context["board"]
    [row] = [r for r in board.rows if r.commitment == data["caq"]]
    assert (row.result.met, row.result.volume) == (2, 3)
    assert row.open.overdue == 0


# --- Drill-down ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_drill_down_lists_the_dossiers_behind_a_figure(
    personas: Personas, data: dict[str, Any]
) -> None:
    client = client_for(personas.supervisor)
    caq = data["caq"].pk
    missed = client.get(
        "/resultats/dossiers/", {**PERIOD, "quoi": "non-respectes", "engagement": caq}
    )
    assert missed.status_code == 200
    assert numbers(missed.content.decode()) == [data["missed"].number]
    stopped = client.get("/resultats/dossiers/", {**PERIOD, "quoi": "arretes", "mois": "2027-01"})
    assert sorted(numbers(stopped.content.decode())) == sorted(
        [data["met"].number, data["missed"].number]
    )
    overdue = client.get("/resultats/dossiers/", {"quoi": "en-retard", "engagement": caq})
    assert numbers(overdue.content.decode()) == [data["late_open"].number]
    aged = client.get("/resultats/dossiers/", {"quoi": "age", "age": "0-5"})
    assert sorted(numbers(aged.content.decode())) == sorted(
        [data["fresh"].number, data["waiting"].number]
    )
    aged_late = client.get("/resultats/dossiers/", {"quoi": "en-retard", "age": "41-60"})
    assert numbers(aged_late.content.decode()) == [data["late_open"].number]
    every_open = client.get("/resultats/dossiers/", {"quoi": "age"})
    assert len(numbers(every_open.content.decode())) == 3


@time_machine.travel(NOW, tick=False)
def test_drill_down_never_leaves_the_supervisors_units(
    personas: Personas, data: dict[str, Any]
) -> None:
    response = client_for(personas.supervisor).get(
        "/resultats/dossiers/", {**PERIOD, "quoi": "arretes", "engagement": data["csq"].pk}
    )
    assert response.status_code == 200
    assert numbers(response.content.decode()) == []
    assert data["other_unit"].number not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_drill_down_pages(personas: Personas, data: dict[str, Any]) -> None:
    for _ in range(55):
        insert_dossier("caq-etudiant", D("2027-01-04"), [(DECIDED, D("2027-01-05"))])
    client = client_for(personas.supervisor)
    first = client.get("/resultats/dossiers/", {**PERIOD, "quoi": "respectes"})
    assert len(numbers(first.content.decode())) == 50
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get("/resultats/dossiers/", {**PERIOD, "quoi": "respectes", "page": "2"})
    assert len(numbers(second.content.decode())) == 6
    bad = client.get("/resultats/dossiers/", {"quoi": "tout"})
    assert bad.status_code == 400


# --- The annual report from the dashboard -------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_annual_report_page_and_files(
    personas: Personas, data: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    client = client_for(personas.supervisor)
    page = client.get("/resultats/rapport-annuel/", {"exercice": "2026-2027"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rapport annuel de gestion 2026-2027" in html
    assert "/resultats/rapport-annuel/2026-2027.csv" in html
    # The file is the same bytes as the command's.
    response = client.get("/resultats/rapport-annuel/2026-2027.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-annuel-2026-2027.csv"'
    )
    run = run_command(capsys, "report", "--fiscal-year", "2026-2027", "-v", "0")
    assert response.content == run.out.encode("utf-8")
    assert response.content == render(annual_report(FiscalYear(2026)), "csv")
    xlsx = client.get("/resultats/rapport-annuel/2026-2027.xlsx")
    assert xlsx.content.startswith(b"PK")
    assert client.get("/resultats/rapport-annuel/2026-2027.doc").status_code == 404
    assert client.get("/resultats/rapport-annuel/2026-2028.csv").status_code == 404
    assert client.get("/resultats/rapport-annuel/2030-2031.csv").status_code == 404
