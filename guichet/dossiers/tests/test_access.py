"""The persona matrix: every page and action of a dossier, as each person, allowed or not.
A denial answers 404 (another person's dossier number reveals nothing) and changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from guichet.dossiers import services
from guichet.dossiers.models import Dossier
from guichet.testing import PASSWORD, Personas, make_dossier, pdf_upload

pytestmark = pytest.mark.django_db

CLIENT_ONLY = {"owner"}
UNIT_STAFF = {"agent", "supervisor"}


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (
        dossier.version,
        dossier.state,
        dossier.events.count(),
        dossier.letters.count(),
        dossier.documents.count(),
    )


@pytest.fixture
def dossier(personas: Personas) -> Dossier:
    d: Dossier = make_dossier(personas, documents=[])
    services.dossier_acknowledge(dossier=d, actor=personas.agent)
    d.refresh_from_db()
    return d


# (name, method, path template, data builder, who may)
PAGES: list[tuple[str, str, str, Callable[[Dossier], dict[str, Any]] | None, set[str]]] = [
    ("portal page", "get", "/dossiers/{n}/", None, CLIENT_ONLY),
    ("portal letter", "get", "/dossiers/{n}/lettres/{letter}/", None, CLIENT_ONLY),
    ("portal change form", "get", "/dossiers/{n}/changement/", None, CLIENT_ONLY),
    (
        "portal send documents",
        "post",
        "/dossiers/{n}/documents/",
        lambda d: {
            "documents-version": d.version,
            "documents-item": "autre",
            "documents-attachments": pdf_upload(),
        },
        CLIENT_ONLY,
    ),
    (
        "portal report change",
        "post",
        "/dossiers/{n}/changement/",
        lambda d: {"version": d.version, "kind": "address_changed", "text": "2 rue Neuve"},
        CLIENT_ONLY,
    ),
    (
        "portal withdraw",
        "post",
        "/dossiers/{n}/retrait/",
        lambda d: {"confirm-version": d.version},
        CLIENT_ONLY,
    ),
    ("office page", "get", "/bureau/dossiers/{n}/", None, UNIT_STAFF),
    ("office letter", "get", "/bureau/dossiers/{n}/lettres/{letter}/", None, UNIT_STAFF),
    (
        "office request items",
        "post",
        "/bureau/dossiers/{n}/incomplet/",
        lambda d: {"items-version": d.version, "items-envoyer": "1", "items-items": "Passeport"},
        UNIT_STAFF,
    ),
    (
        "office fee paid",
        "post",
        "/bureau/dossiers/{n}/frais-payes/",
        lambda d: {"confirm-version": d.version},
        UNIT_STAFF,
    ),
]


@pytest.mark.parametrize("persona", ["owner", "other_client", "agent", "other_agent", "supervisor"])
@pytest.mark.parametrize(
    ("name", "method", "path", "data", "allowed"), PAGES, ids=[p[0] for p in PAGES]
)
def test_matrix(
    personas: Personas,
    dossier: Dossier,
    persona: str,
    name: str,
    method: str,
    path: str,
    data: Callable[[Dossier], dict[str, Any]] | None,
    allowed: set[str],
) -> None:
    user = personas.all()[persona]
    url = path.format(n=dossier.number, letter=dossier.letters.get().pk)
    before = snapshot(dossier)
    client = client_for(user)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data(dossier) if data else {})
    if persona in allowed:
        assert response.status_code in (200, 302), response.content.decode()[-4000:]
        if method == "post":
            assert snapshot(dossier) != before
    else:
        assert response.status_code == 404
        assert snapshot(dossier) == before


# Actions whose outcome depends on the dossier's state: the allowed people reach them (an
# answer other than 404, a refusal being a 400 with its message), everyone else gets a 404
# and nothing changes.
STATEFUL: list[tuple[str, str, Callable[[Dossier], dict[str, Any]], set[str]]] = [
    (
        "portal observations",
        "/dossiers/{n}/observations/",
        lambda d: {"observations-version": d.version, "observations-text": "Voici."},
        CLIENT_ONLY,
    ),
    (
        "portal review",
        "/dossiers/{n}/revision/",
        lambda d: {"review-version": d.version, "review-reasons": "Je conteste."},
        CLIENT_ONLY,
    ),
    (
        "office assign",
        "/bureau/dossiers/{n}/attribuer/",
        lambda d: {"assign-version": d.version, "assign-agent": ""},
        UNIT_STAFF,
    ),
    (
        "office acknowledge",
        "/bureau/dossiers/{n}/accuser-reception/",
        lambda d: {"confirm-version": d.version},
        UNIT_STAFF,
    ),
    (
        "office items received",
        "/bureau/dossiers/{n}/elements-recus/",
        lambda d: {
            "received-version": d.version,
            "received-on": "2026-01-01",
            "received-note": "x",
        },
        UNIT_STAFF,
    ),
    (
        "office intention",
        "/bureau/dossiers/{n}/intention/",
        lambda d: {
            "intention-version": d.version,
            "intention-intended": "refused",
            "intention-reasons": "Motifs.",
        },
        UNIT_STAFF,
    ),
    (
        "office decision",
        "/bureau/dossiers/{n}/decision/",
        lambda d: {
            "decision-version": d.version,
            "decision-decision": "accepted",
            "decision-reasons": "Motifs.",
        },
        UNIT_STAFF,
    ),
    (
        "office service event",
        "/bureau/dossiers/{n}/evenement/",
        lambda d: {"event-version": d.version, "event-kind": "answered", "event-on": "2026-01-01"},
        UNIT_STAFF,
    ),
    (
        "office close",
        "/bureau/dossiers/{n}/fermer/",
        lambda d: {"confirm-version": d.version},
        UNIT_STAFF,
    ),
]


@pytest.mark.parametrize("persona", ["owner", "other_client", "agent", "other_agent", "supervisor"])
@pytest.mark.parametrize(
    ("name", "path", "data", "allowed"), STATEFUL, ids=[p[0] for p in STATEFUL]
)
def test_matrix_stateful_actions(
    personas: Personas,
    dossier: Dossier,
    persona: str,
    name: str,
    path: str,
    data: Callable[[Dossier], dict[str, Any]],
    allowed: set[str],
) -> None:
    before = snapshot(dossier)
    response = client_for(personas.all()[persona]).post(
        path.format(n=dossier.number), data(dossier)
    )
    if persona in allowed:
        assert response.status_code in (200, 302, 400)
        if response.status_code == 400:
            assert snapshot(dossier) == before  # a refusal changes nothing
    else:
        assert response.status_code == 404
        assert snapshot(dossier) == before


@pytest.mark.parametrize("persona", ["owner", "other_client", "agent", "other_agent", "supervisor"])
def test_documents_download(personas: Personas, persona: str) -> None:
    from guichet.testing import checked

    d = make_dossier(personas, documents=[checked(pdf_upload("passeport.pdf"))])
    document = d.documents.get()
    portal = client_for(personas.all()[persona]).get(
        f"/dossiers/{d.number}/documents/{document.pk}/"
    )
    office = client_for(personas.all()[persona]).get(
        f"/bureau/dossiers/{d.number}/documents/{document.pk}/"
    )
    assert portal.status_code == (200 if persona in CLIENT_ONLY else 404)
    assert office.status_code == (200 if persona in UNIT_STAFF else 404)
    if portal.status_code == 200:
        assert b"".join(portal.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", ["owner", "other_client", "agent", "other_agent", "supervisor"])
def test_record_mail_is_for_staff(personas: Personas, persona: str) -> None:
    response = client_for(personas.all()[persona]).get("/bureau/courrier/")
    assert response.status_code == (200 if persona in UNIT_STAFF | {"other_agent"} else 404)


def test_anonymous_is_sent_to_login_and_nothing_changes(dossier: Dossier) -> None:
    before = snapshot(dossier)
    for url in (
        f"/dossiers/{dossier.number}/",
        f"/bureau/dossiers/{dossier.number}/",
        "/bureau/",
        "/dossiers/",
        "/demande/caq-etudiant/",
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = Client().post(
        f"/dossiers/{dossier.number}/retrait/", {"confirm-version": dossier.version}
    )
    assert response.status_code == 302
    assert snapshot(dossier) == before


@pytest.mark.parametrize("persona", ["owner", "other_client"])
def test_clients_have_no_back_office(personas: Personas, persona: str) -> None:
    client = client_for(personas.all()[persona])
    assert client.get("/bureau/").status_code == 404
    assert client.get("/bureau/courrier/").status_code == 404


def test_worklist_shows_only_the_unit(personas: Personas, dossier: Dossier) -> None:
    csq = make_dossier(personas, service_code="csq-travailleur-permanent")
    agent_page = client_for(personas.agent).get("/bureau/").content.decode()
    other_page = client_for(personas.other_agent).get("/bureau/").content.decode()
    assert dossier.number in agent_page and csq.number not in agent_page
    assert csq.number in other_page and dossier.number not in other_page


def test_my_dossiers_lists_only_mine(personas: Personas, dossier: Dossier) -> None:
    mine = client_for(personas.owner).get("/dossiers/").content.decode()
    theirs = client_for(personas.other_client).get("/dossiers/").content.decode()
    assert dossier.number in mine
    assert dossier.number not in theirs
