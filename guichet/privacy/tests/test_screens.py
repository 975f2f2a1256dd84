"""The privacy officer's screens: who reaches them (the officer only; everyone else a 404, the
anonymous visitor the log-in page), the search of the access log, and its CSV export, which
asks for the password again and is itself logged."""

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.models import Dossier
from guichet.dossiers.services import Applicant
from guichet.privacy import services
from guichet.privacy.models import ConfidentialityIncident, LegalHold
from guichet.privacy.tests.conftest import client_for, search_log
from guichet.searches import search_remember
from guichet.testing import Personas, addresses, assert_no_email_in, make_dossier

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
    ("access log", "get", "/confidentialite/journal/", None),
    (
        "access log search",
        "post",
        "/confidentialite/journal/",
        lambda i: {"personne": "proprietaire@example.org"},
    ),
    ("access log results", "get", "/confidentialite/journal/recherche/{r}/", None),
    ("access log export", "get", "/confidentialite/journal/export.csv", None),
    ("access log results export", "get", "/confidentialite/journal/recherche/{r}/export.csv", None),
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


def search_remember_for(client: Client, criteria: dict[str, str]) -> str:
    """Keep a search in `client`'s session, as the search form does."""
    request = RequestFactory().get("/")
    request.session = client.session
    ref = search_remember(request, "journal-des-acces", criteria)
    request.session.save()
    return ref


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
    if persona == "anonymous":
        client = Client()
    else:
        user = officer if persona == "officer" else personas.all()[persona]
        client = client_for(user, reauthenticated=True)
    # A search of this session's (another persona's reference would not be found anyway).
    ref = search_remember_for(client, {"personne": dossier.number})
    url = path.format(i=incident.pk, h=hold.pk, r=ref)
    before = state()
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data(incident) if data else {})
    if persona == "officer":
        assert response.status_code in (200, 302), response.content.decode()[-3000:]
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/")
            assert not response["Location"].startswith("/confidentialite/journal/?"), name
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


RESULTS = re.compile(r"/confidentialite/journal/recherche/[A-Za-z0-9_-]{11}/")


def searched(client: Client, **criteria: str) -> str:
    """The address of a search's results, without showing them (which is recorded)."""
    response = client.post("/confidentialite/journal/", criteria)
    assert response.status_code == 302
    url: str = response["Location"]
    assert RESULTS.fullmatch(url)
    return url


def test_search_by_client_email(personas: Personas, officer: User, history: dict[str, Any]) -> None:
    n = history["mine"].number
    client = client_for(officer)
    sent = client.post(
        "/confidentialite/journal/", {"personne": "PROPRIETAIRE@example.org", "action": "read"}
    )
    assert sent.status_code == 302
    results_url = sent["Location"]
    assert RESULTS.fullmatch(results_url)
    response = client.get(results_url)
    assert response.status_code == 200
    assert found(response) == [
        ("2026-12-22", "read", n, "agent.caq@example.org"),
        ("2026-12-20", "read", n, "agent.caq@example.org"),
        ("2026-12-20", "read", n, "proprietaire@example.org"),
    ]
    # The form shows the search, to refine it; the export is of this search.
    html = response.content.decode()
    assert 'value="PROPRIETAIRE@example.org"' in html
    assert f'<a href="{results_url}export.csv">Exporter cette recherche (CSV)</a>' in html
    assert_no_email_in(addresses(sent) + addresses(response), "proprietaire@example.org")
    # Looking a person up is itself recorded, with the account searched for, and the
    # address recorded is the reference's.
    entry = AccessLog.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.subject_kind, entry.person, entry.why) == (
        officer,
        "read",
        "access_log",
        personas.owner,
        "recherche du responsable de la protection des renseignements personnels",
    )
    assert entry.path == results_url
    # The page reloads (a bookmark works for the session), and each showing is recorded:
    # the first showing is now among the entries about this person.
    again = client.get(results_url)
    assert again.context["rows"][0] == entry
    assert found(again)[1:] == found(response)
    assert AccessLog.objects.filter(subject_kind="access_log", path=results_url).count() == 2


def test_the_same_search_gets_the_same_address(officer: User) -> None:
    client = client_for(officer)
    criteria = {"personne": "proprietaire@example.org", "action": "read"}
    first = client.post("/confidentialite/journal/", criteria)
    other = client.post("/confidentialite/journal/", {**criteria, "action": "change"})
    second = client.post("/confidentialite/journal/", criteria)
    assert first["Location"] == second["Location"] != other["Location"]


def test_a_search_lasts_as_long_as_its_session(officer: User, history: dict[str, Any]) -> None:
    results_url = search_log(client_for(officer), personne="proprietaire@example.org")
    url = results_url.redirect_chain[-1][0]
    before = AccessLog.objects.count()
    # The same person signed in again (another session), or anyone else's session: the
    # reference means nothing there; they are sent back to the form, told why.
    elsewhere = client_for(officer, reauthenticated=True)
    assert AccessLog.objects.count() == before + 1  # the log-in
    for address in (url, f"{url}export.csv", "/confidentialite/journal/recherche/inconnue/"):
        response = elsewhere.get(address)
        assert response.status_code == 302
        assert response["Location"] == "/confidentialite/journal/"
    page = elsewhere.get("/confidentialite/journal/")
    assert [str(m) for m in page.context["messages"]] == [
        "Cette recherche n'est plus disponible (elle dure le temps de la session) : refaites-la."
    ] * 3
    assert AccessLog.objects.count() == before + 1


def test_search_by_dossier_number_staff_dates(
    personas: Personas, officer: User, history: dict[str, Any]
) -> None:
    client = client_for(officer)
    mine, other = history["mine"].number, history["other"].number
    by_number = search_log(client, personne=other, action="read")
    assert found(by_number) == [("2026-12-22", "read", other, "agent.csq@example.org")]

    by_staff = search_log(client, personnel="agent.caq@example.org")
    assert found(by_staff) == [
        ("2026-12-22", "read", mine, "agent.caq@example.org"),
        ("2026-12-20", "read", mine, "agent.caq@example.org"),
    ]
    assert_no_email_in(addresses(by_staff), "agent.caq@example.org")
    by_dates = search_log(client, du="2026-12-20", au="2026-12-21", action="read")
    assert found(by_dates) == [
        ("2026-12-20", "read", mine, "agent.caq@example.org"),
        ("2026-12-20", "read", mine, "proprietaire@example.org"),
    ]
    changes = search_log(client, personne=mine, action="change")
    assert [(e.why, e.actor) for e in changes.context["rows"]] == [
        ("inscription au dossier : Accusé de réception envoyé", personas.agent),
        ("inscription au dossier : Demande reçue", personas.owner),
    ]


def test_no_criteria_shows_the_newest_entries(officer: User, history: dict[str, Any]) -> None:
    client = client_for(officer)
    empty = client.post("/confidentialite/journal/", {"personne": " ", "action": ""})
    assert (empty.status_code, empty["Location"]) == (302, "/confidentialite/journal/")
    page = client.get("/confidentialite/journal/")
    assert page.context["rows"][0] == AccessLog.objects.order_by("-id")[0]
    assert '<a href="/confidentialite/journal/export.csv">' in page.content.decode()


def test_an_address_with_the_criteria_is_not_a_search(
    officer: User, history: dict[str, Any]
) -> None:
    """An old bookmark with ?personne= shows the newest entries, not that person: nothing
    is looked up, nothing of it comes back in the page's addresses."""
    client = client_for(officer)
    before = AccessLog.objects.count()
    response = client.get("/confidentialite/journal/", {"personne": "proprietaire@example.org"})
    assert response.status_code == 200
    assert response.context["form"]["personne"].value() is None
    assert AccessLog.objects.count() == before
    assert_no_email_in(addresses(response), "proprietaire@example.org")


def test_a_bad_period_is_refused_with_an_error_summary(officer: User) -> None:
    client = client_for(officer)  # logging in is itself an entry: before the count
    before = AccessLog.objects.count()
    response = client.post(
        "/confidentialite/journal/",
        {"personne": "proprietaire@example.org", "du": "2026-12-20", "au": "2026-12-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    # GOV.UK: the summary says what the field says (a message that names what to do).
    assert '<a href="#id_au">La fin de la période précède son début.</a>' in html
    assert "rows" not in response.context
    assert AccessLog.objects.count() == before
    assert_no_email_in(addresses(response), "proprietaire@example.org")


NOT_A_NUMBER = (
    "Indiquez le courriel du client ou un numéro de dossier : quatre chiffres, un trait "
    "d'union et au moins six chiffres, par exemple 2026-000123."
)


@pytest.mark.parametrize(
    ("term", "message"),
    [
        # Longer than the log's column for a dossier number (20): PostgreSQL refused the
        # entry recording the search, the page and the export answered 500.
        ("Claude Autre-Exemple Junior", NOT_A_NUMBER),
        ("2026-0000000000000001", NOT_A_NUMBER),  # 21 characters
        ("x" * 254, NOT_A_NUMBER),
        (
            "x" * 255,
            "Assurez-vous que cette valeur comporte au plus 254 caractères (actuellement 255).",
        ),
        ("2026-12345", NOT_A_NUMBER),
        ("26-000123", NOT_A_NUMBER),
        ("2026 000123", NOT_A_NUMBER),
        ("proprietaire@", "Adresse courriel invalide : vérifiez le courriel du client."),
        ("@" + "x" * 30, "Adresse courriel invalide : vérifiez le courriel du client."),
    ],
)
def test_a_person_term_that_is_neither_an_email_nor_a_dossier_number_is_refused(
    officer: User, term: str, message: str
) -> None:
    client = client_for(officer, reauthenticated=True)
    before = AccessLog.objects.count()
    response = client.post("/confidentialite/journal/", {"personne": term})
    assert response.status_code == 400
    assert response.context["form"].errors == {"personne": [message]}
    # A message of the form's own says what to do; Django's generic one gets the label.
    line = f"Personne concernée : {message}" if message.startswith("Assurez-vous") else message
    assert f'<a href="#id_personne">{line}</a>' in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert AccessLog.objects.count() == before


def test_a_staff_term_that_is_not_an_email_is_refused(officer: User) -> None:
    client = client_for(officer)
    before = AccessLog.objects.count()
    response = client.post("/confidentialite/journal/", {"personnel": "Agent CAQ"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "personnel": ["Indiquez l'adresse courriel d'un membre du personnel."]
    }
    assert AccessLog.objects.count() == before


def test_the_longest_dossier_number_is_searched_and_recorded(
    personas: Personas, officer: User
) -> None:
    """Twenty characters, the width of the column: on PostgreSQL too the search is found,
    recorded, and exported."""
    number = "2026-123456789012345"
    assert len(number) == 20
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.DOSSIER,
        subject_number=number,
        actor=personas.agent,
        why="traitement du dossier",
    )
    client = client_for(officer, reauthenticated=True)
    results = search_log(client, personne=f" {number} ")
    assert [e.subject_number for e in results.context["rows"]] == [number]
    export = client.get(f"{results.redirect_chain[-1][0]}export.csv")
    assert export.status_code == 200
    assert [
        (e.action, e.subject_kind, e.subject_number)
        for e in AccessLog.objects.filter(subject_kind="access_log").order_by("id")
    ] == [("read", "access_log", number), ("export", "access_log", number)]


def test_the_log_refuses_a_number_longer_than_its_column(personas: Personas) -> None:
    """On every database: SQLite would keep it, PostgreSQL refuse it with a server error."""
    before = AccessLog.objects.count()
    with pytest.raises(ValueError, match="subject_number longer than 20 characters"):
        access_log_record(
            action=AccessAction.READ,
            subject_kind=SubjectKind.DOSSIER,
            subject_number="2026-1234567890123456",
            actor=personas.agent,
            why="traitement du dossier",
        )
    assert AccessLog.objects.count() == before


def test_the_log_pages_by_fifty(officer: User, personas: Personas) -> None:
    for i in range(55):
        access_log_record(
            action=AccessAction.READ,
            subject_kind=SubjectKind.DOSSIER,
            subject_number="2026-777777",
            subject_id=i,
            actor=personas.agent,
            why="traitement du dossier",
        )
    client = client_for(officer)
    first = search_log(client, personne="2026-777777")
    results_url = first.redirect_chain[-1][0]
    ids = [e.subject_id for e in first.context["rows"]]
    assert ids == list(range(54, 4, -1))
    cursor = first.context["next_cursor"]
    assert f'<a href="?avant={cursor}">Entrées plus anciennes</a>' in first.content.decode()
    second = client.get(results_url, {"avant": cursor})
    assert [e.subject_id for e in second.context["rows"]] == [4, 3, 2, 1, 0]
    assert second.context["next_cursor"] == ""


# --- Export ---------------------------------------------------------------------------------


def test_export_asks_for_the_password_again_and_logs_nothing_before(
    officer: User, history: dict[str, Any]
) -> None:
    client = client_for(officer)  # logging in is itself an entry: before the count
    results = search_log(client, personne="proprietaire@example.org")
    results_url = results.redirect_chain[-1][0]
    before = AccessLog.objects.count()
    response = client.get(f"{results_url}export.csv")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/confirmer/?next={results_url}export.csv"
    assert AccessLog.objects.count() == before
    assert_no_email_in(addresses(results) + addresses(response), "proprietaire@example.org")


def test_export_is_a_csv_of_the_search_and_is_logged(
    frozen: Any, personas: Personas, officer: User, dossier: Dossier
) -> None:
    client = client_for(personas.agent)
    client.get(f"/bureau/dossiers/{dossier.number}/")
    officer_client = client_for(officer, reauthenticated=True)
    export_url = searched(officer_client, personne="proprietaire@example.org", action="read")
    export_url += "export.csv"
    response = officer_client.get(export_url)
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
        export_url,
    )


def test_no_email_reaches_the_address_column_of_the_log(
    personas: Personas, officer: User, history: dict[str, Any]
) -> None:
    """Searching, paging and exporting by e-mail, and the Administration area's look-up:
    the addresses the access log records hold no e-mail address."""
    client = client_for(officer, reauthenticated=True)
    first = AccessLog.objects.order_by("-id").values_list("id", flat=True)[0]
    results = search_log(client, personne="proprietaire@example.org")
    search_log(client, personnel="agent.caq@example.org", personne="autre@example.org")
    url = results.redirect_chain[-1][0]
    client.get(url, {"avant": "999999999"})
    client.get(f"{url}export.csv")
    written = list(AccessLog.objects.filter(id__gt=first).values_list("path", flat=True))
    assert len(written) == 3  # two searches, the export (the later page is not recorded)
    assert [p for p in written if "@" in p or "%40" in p] == []


def test_a_cell_that_looks_like_a_formula_is_neutralized(personas: Personas, officer: User) -> None:
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.DOSSIER,
        subject_number="2026-888888",
        why='=HYPERLINK("http://example.org")',
    )
    client = client_for(officer, reauthenticated=True)
    response = client.get(f"{searched(client, personne='2026-888888')}export.csv")
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
        "/confidentialite/journal/",
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
