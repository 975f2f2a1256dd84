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
        lambda d: {"documents-version": d.version, "documents-attachments": pdf_upload()},
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
        lambda d: {"items-version": d.version, "items-items": "Passeport"},
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
