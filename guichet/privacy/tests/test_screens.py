"""The privacy officer's screens: who reaches them (the officer only; everyone else a 404, the
anonymous visitor the log-in page), the search of the access log, and its CSV export, which
asks for the password again and is itself logged."""

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import Applicant
from guichet.privacy import services
from guichet.privacy.models import (
    AccessAction,
    AccessLog,
    ConfidentialityIncident,
    LegalHold,
    SubjectKind,
)
from guichet.privacy.tests.conftest import client_for
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db


def incident_data(**overrides: Any) -> dict[str, Any]:
    return {
        "circumstances": "Un courriel envoyé au mauvais destinataire.",
        "occurred_from": "2026-11-01",
        "aware_from": "2026-11-02",
        "serious_risk": "",
        **overrides,
    }


@pytest.fixture
def incident(officer: User) -> ConfidentialityIncident:
    return services.incident_report(
        actor=officer,
        fields={
            "information": "Nom et numéro de dossier.",
            "circumstances": "Un dossier imprimé oublié dans une salle de réunion.",
            "occurred_from": date(2026, 11, 20),
            "aware_from": date(2026, 11, 21),
            "persons_concerned": 1,
            "sensitivity": "Faible.",
            "consequences": "Aucune attendue.",
            "likelihood": "Très faible : salle fermée à clé.",
            "serious_risk": False,
        },
    )


@pytest.fixture
def hold(officer: User, dossier: Dossier) -> LegalHold:
    return services.legal_hold_place(actor=officer, dossier=dossier, reason="Recours en cours.")


# (name, method, path, data builder)
URLS: list[tuple[str, str, str, Callable[[Any], dict[str, Any]] | None]] = [
    ("home", "get", "/confidentialite/", None),
    ("access log", "get", "/confidentialite/journal/?personne={n}", None),
    ("access log export", "get", "/confidentialite/journal/export.csv?personne={n}", None),
    ("incidents", "get", "/confidentialite/incidents/", None),
    ("incident form", "get", "/confidentialite/incidents/nouveau/", None),
    ("incident create", "post", "/confidentialite/incidents/nouveau/", lambda i: incident_data()),
    ("incidents export", "get", "/confidentialite/incidents/export.csv", None),
    ("incident", "get", "/confidentialite/incidents/{i}/", None),
    ("incident edit form", "get", "/confidentialite/incidents/{i}/modifier/", None),
    (
        "incident edit",
        "post",
        "/confidentialite/incidents/{i}/modifier/",
        lambda i: incident_data(version=i.version, measures="Rappel de la procédure."),
    ),
    (
        "incident transition",
        "post",
        "/confidentialite/incidents/{i}/evaluer/",
        lambda i: {"version": i.version},
    ),
    ("legal holds", "get", "/confidentialite/conservation/", None),
    (
        "legal hold place",
        "post",
        "/confidentialite/conservation/",
        lambda i: {"courriel": "autre@example.org", "reason": "Demande d'accès en cours."},
    ),
    ("legal hold lift", "post", "/confidentialite/conservation/{h}/lever/", lambda i: {}),
]


def state() -> tuple[Any, ...]:
    return (
        AccessLog.objects.count(),
        list(ConfidentialityIncident.objects.values_list("pk", "version", "status")),
        list(LegalHold.objects.values_list("pk", "lifted_at")),
    )


@pytest.mark.parametrize(
    "persona",
    ["anonymous", "owner", "other_client", "agent", "other_agent", "supervisor", "officer"],
)
@pytest.mark.parametrize(("name", "method", "path", "data"), URLS, ids=[u[0] for u in URLS])
def test_only_the_privacy_officer_reaches_the_privacy_screens(
    personas: Personas,
    officer: User,
    dossier: Dossier,
    incident: ConfidentialityIncident,
    hold: LegalHold,
    persona: str,
    name: str,
    method: str,
    path: str,
    data: Callable[[Any], dict[str, Any]] | None,
) -> None:
    url = path.format(n=dossier.number, i=incident.pk, h=hold.pk)
    if persona == "anonymous":
        client = Client()
    else:
        user = officer if persona == "officer" else personas.all()[persona]
        client = client_for(user, reauthenticated=True)
    before = state()
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data(incident) if data else {})
    if persona == "officer":
        assert response.status_code in (200, 302), response.content.decode()[-3000:]
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/")
        return
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == 404
    assert state() == before


# --- Searching the access log ---------------------------------------------------------------


@pytest.fixture
def history(personas: Personas, dossier: Dossier) -> dict[str, Any]:
    """Reads on two days: the owner and the agent on the owner's dossier, the CSQ agent on
    another client's dossier."""
    other = make_dossier(
        personas,
        "csq-travailleur-permanent",
        client=personas.other_client,
        actor=personas.other_client,
        applicant=Applicant("Claude Autre-Exemple", "autre@example.org"),
    )
    with time_machine.travel("2026-12-20 09:00 -05:00", tick=False):
        client_for(personas.owner).get(f"/dossiers/{dossier.number}/")
        client_for(personas.agent).get(f"/bureau/dossiers/{dossier.number}/")
    with time_machine.travel("2026-12-22 09:00 -05:00", tick=False):
        client_for(personas.other_agent).get(f"/bureau/dossiers/{other.number}/")
        client_for(personas.agent).get(f"/bureau/dossiers/{dossier.number}/")
    return {"mine": dossier, "other": other}


def found(response: Any) -> list[tuple[str, str, str, str | None]]:
    rows: list[AccessLog] = response.context["rows"]
    return [
        (
            e.at.date().isoformat(),
            e.action,
            e.subject_number,
            e.actor.email if e.actor else None,
        )
        for e in rows
        if e.action == "read"
    ]


def test_search_by_client_email(personas: Personas, officer: User, history: dict[str, Any]) -> None:
    n = history["mine"].number
    response = client_for(officer).get(
        "/confidentialite/journal/", {"personne": "PROPRIETAIRE@example.org", "action": "read"}
    )
    assert response.status_code == 200
    assert found(response) == [
        ("2026-12-22", "read", n, "agent.caq@example.org"),
        ("2026-12-20", "read", n, "agent.caq@example.org"),
        ("2026-12-20", "read", n, "proprietaire@example.org"),
    ]
    # Looking a person up is itself recorded, with the account searched for.
    entry = AccessLog.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.subject_kind, entry.person, entry.why) == (
        officer,
        "read",
        "access_log",
        personas.owner,
        "recherche du responsable de la protection des renseignements personnels",
    )


def test_search_by_dossier_number_staff_dates(
    personas: Personas, officer: User, history: dict[str, Any]
) -> None:
    client = client_for(officer)
    mine, other = history["mine"].number, history["other"].number
    by_number = client.get("/confidentialite/journal/", {"personne": other, "action": "read"})
    assert found(by_number) == [("2026-12-22", "read", other, "agent.csq@example.org")]

    by_staff = client.get("/confidentialite/journal/", {"personnel": "agent.caq@example.org"})
    assert found(by_staff) == [
        ("2026-12-22", "read", mine, "agent.caq@example.org"),
        ("2026-12-20", "read", mine, "agent.caq@example.org"),
    ]
    by_dates = client.get(
        "/confidentialite/journal/", {"du": "2026-12-20", "au": "2026-12-21", "action": "read"}
    )
    assert found(by_dates) == [
        ("2026-12-20", "read", mine, "agent.caq@example.org"),
        ("2026-12-20", "read", mine, "proprietaire@example.org"),
    ]
    changes = client.get("/confidentialite/journal/", {"personne": mine, "action": "change"})
    assert [(e.why, e.actor) for e in changes.context["rows"]] == [
        ("inscription au dossier : Accusé de réception envoyé", personas.agent),
        ("inscription au dossier : Demande reçue", personas.owner),
    ]


def test_a_bad_period_is_refused_with_an_error_summary(officer: User) -> None:
    client = client_for(officer)  # logging in is itself an entry: before the count
    before = AccessLog.objects.count()
    response = client.get(
        "/confidentialite/journal/",
        {"personne": "proprietaire@example.org", "du": "2026-12-20", "au": "2026-12-01"},
    )
    # 200, not 400: Django would log a 400 with its query string, which holds an address.
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert '<a href="#id_au">Au : La fin de la période précède son début.</a>' in html
    assert response.context["rows"] == []
    assert AccessLog.objects.count() == before


def test_the_log_pages_by_fifty(officer: User, personas: Personas) -> None:
    for i in range(55):
        services.access_log_record(
            action=AccessAction.READ,
            subject_kind=SubjectKind.DOSSIER,
            subject_number="2026-777777",
            subject_id=i,
            actor=personas.agent,
            why="traitement du dossier",
        )
    client = client_for(officer)
    first = client.get("/confidentialite/journal/", {"personne": "2026-777777"})
    ids = [e.subject_id for e in first.context["rows"]]
    assert ids == list(range(54, 4, -1))
    cursor = first.context["next_cursor"]
    assert f"personne=2026-777777&amp;avant={cursor}" in first.content.decode()
    second = client.get("/confidentialite/journal/", {"personne": "2026-777777", "avant": cursor})
    assert [e.subject_id for e in second.context["rows"]] == [4, 3, 2, 1, 0]
    assert second.context["next_cursor"] == ""


# --- Export ---------------------------------------------------------------------------------


def test_export_asks_for_the_password_again_and_logs_nothing_before(
    officer: User, history: dict[str, Any]
) -> None:
    client = client_for(officer)  # logging in is itself an entry: before the count
    before = AccessLog.objects.count()
    url = "/confidentialite/journal/export.csv?personne=proprietaire%40example.org"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/confirmer/?next=/confidentialite/journal/export.csv"
        "%3Fpersonne%3Dproprietaire%2540example.org"
    )
    assert AccessLog.objects.count() == before


def test_export_is_a_csv_of_the_search_and_is_logged(
    frozen: Any, personas: Personas, officer: User, dossier: Dossier
) -> None:
    client = client_for(personas.agent)
    client.get(f"/bureau/dossiers/{dossier.number}/")
    response = client_for(officer, reauthenticated=True).get(
        "/confidentialite/journal/export.csv",
        {"personne": "proprietaire@example.org", "action": "read"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="journal-des-acces-20261218-1000.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.reader(io.StringIO(body)))
    n, owner, agent = dossier.number, personas.owner, personas.agent
    assert table == [
        [
            "date",
            "action",
            "objet",
            "identifiant",
            "dossier",
            "personne (compte)",
            "personne (courriel)",
            "par (compte)",
            "par",
            "motif",
            "adresse",
        ],
        [
            "2026-12-18T10:00:00-05:00",
            "Consultation",
            "Dossier",
            str(dossier.pk),
            n,
            str(owner.pk),
            "proprietaire@example.org",
            str(agent.pk),
            "agent.caq@example.org",
            "traitement du dossier",
            f"/bureau/dossiers/{n}/",
        ],
    ]
    export = AccessLog.objects.order_by("-id").first()
    assert export is not None
    assert (
        export.actor,
        export.action,
        export.subject_kind,
        export.person,
        export.why,
        export.path,
    ) == (
        officer,
        "export",
        "access_log",
        owner,
        "export (1 entrées) du responsable de la protection des renseignements personnels",
        "/confidentialite/journal/export.csv",
    )


def test_a_cell_that_looks_like_a_formula_is_neutralized(personas: Personas, officer: User) -> None:
    services.access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.DOSSIER,
        subject_number="2026-888888",
        why='=HYPERLINK("http://example.org")',
    )
    response = client_for(officer, reauthenticated=True).get(
        "/confidentialite/journal/export.csv", {"personne": "2026-888888"}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][9] == '\'=HYPERLINK("http://example.org")'


def test_pages_have_no_inline_script_or_style(
    officer: User, dossier: Dossier, incident: ConfidentialityIncident, hold: LegalHold
) -> None:
    """The Content Security Policy allows scripts and styles from the site's files only."""
    client = client_for(officer)
    for url in (
        "/confidentialite/",
        f"/confidentialite/journal/?personne={dossier.number}",
        "/confidentialite/incidents/",
        "/confidentialite/incidents/nouveau/",
        f"/confidentialite/incidents/{incident.pk}/",
        f"/confidentialite/incidents/{incident.pk}/modifier/",
        "/confidentialite/conservation/",
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Content-Security-Policy" in response.headers
        assert " style=" not in html and "<style" not in html, url
        assert html.count("<script") == html.count("<script src="), url
        assert " on" + "click=" not in html, url
