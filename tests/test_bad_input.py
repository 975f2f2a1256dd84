"""Hostile input: markup is shown as text, SQL fragments are just text, oversized or malformed
requests get a 4xx, and none of it changes any data it should not."""

from typing import Any

import pytest
from django.test import Client

from guichet.dossiers.models import Dossier, DossierEvent
from guichet.testing import PASSWORD, Personas, file_online, make_dossier

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE dossiers_dossier; --"


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def counts() -> tuple[int, int]:
    return Dossier.objects.count(), DossierEvent.objects.count()


@pytest.mark.parametrize("payload", [SCRIPT, SQL])
def test_payloads_in_every_text_field_are_text(personas: Personas, payload: str) -> None:
    owner, agent = signed_in(personas.owner), signed_in(personas.agent)
    response = file_online(owner, applicant_name=payload, postal_address=payload)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_name, dossier.postal_address) == (payload, payload)
    owner.post(
        f"/dossiers/{dossier.number}/changement/",
        {"version": dossier.version, "kind": "situation_changed", "text": payload},
    )
    dossier.refresh_from_db()
    agent.post(
        f"/bureau/dossiers/{dossier.number}/incomplet/",
        {"items-version": dossier.version, "items-envoyer": "1", "items-items": payload},
    )
    dossier.refresh_from_db()
    assert dossier.state == "incomplete"
    pages = [
        owner.get(f"/dossiers/{dossier.number}/").content.decode(),
        agent.get(f"/bureau/dossiers/{dossier.number}/").content.decode(),
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in pages[1] or "&#x27;; DROP TABLE" in pages[1]
    assert Dossier.objects.count() == 1  # the table is still there, and whole


def test_oversized_text_is_refused_and_changes_nothing(personas: Personas) -> None:
    before = counts()
    response = file_online(signed_in(personas.owner), applicant_name="x" * 201)
    assert response.status_code == 400
    assert "au plus 200 caractères" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("version", ["abc", "-1", "", "1e9999"])
def test_malformed_version_is_a_400(personas: Personas, version: str) -> None:
    dossier = make_dossier(personas)
    before = counts()
    response = signed_in(personas.agent).post(
        f"/bureau/dossiers/{dossier.number}/incomplet/",
        {"items-version": version, "items-envoyer": "1", "items-items": "Passeport"},
    )
    assert response.status_code == 400
    assert counts() == before


def test_an_oversized_request_body_is_refused(personas: Personas) -> None:
    dossier = make_dossier(personas)
    before = counts()
    response = signed_in(personas.owner).post(
        f"/dossiers/{dossier.number}/changement/",
        {"version": dossier.version, "kind": "situation_changed", "text": "x" * (13 * 1024 * 1024)},
    )
    assert response.status_code == 400
    assert counts() == before


def test_unknown_action_and_number_are_404(personas: Personas) -> None:
    agent = signed_in(personas.agent)
    dossier = make_dossier(personas)
    assert agent.post(f"/bureau/dossiers/{dossier.number}/supprimer/", {}).status_code == 404
    assert agent.get("/bureau/dossiers/../../etc/passwd/").status_code == 404
    assert agent.get(f"/bureau/dossiers/{SQL}/").status_code == 404


def test_api_malformed_json_is_a_4xx(personas: Personas) -> None:
    response = Client().post(
        "/api/dossiers",
        data=b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer nope",
    )
    assert 400 <= response.status_code < 500


HOSTILE_NUMBERS = ["2026%00", "%00", "2026-" + "9" * 300, "2026-000001%0A", "%FF%FE"]


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_a_hostile_dossier_number_is_not_found(personas: Personas, number: str) -> None:
    """NUL bytes, line breaks, invalid UTF-8 and oversized numbers in an address are a 404 on
    every page and endpoint that takes a number (PostgreSQL refuses NUL in a query: it must
    never get that far), and nothing is logged as read."""
    from guichet.accounts.services import api_token_create
    from guichet.audit.models import AccessLog

    make_dossier(personas)
    _, secret = api_token_create(name="Système", user=personas.agent, actor=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    owner, agent = signed_in(personas.owner), signed_in(personas.agent)
    answers = {
        "api status": api.get(f"/api/dossiers/{number}").status_code,
        "api events": api.get(f"/api/dossiers/{number}/events").status_code,
        "office page": agent.get(f"/bureau/dossiers/{number}/").status_code,
        "portal page": owner.get(f"/dossiers/{number}/").status_code,
        "withdrawal": owner.post(f"/dossiers/{number}/retrait/", {"version": 1}).status_code,
        "mandate": owner.get(f"/dossiers/{number}/mandats/nouveau/").status_code,
    }
    assert answers == dict.fromkeys(answers, 404)
    assert not AccessLog.objects.filter(action="read").exists()


def test_nul_bytes_in_query_strings_are_harmless(personas: Personas) -> None:
    agent = signed_in(personas.agent)
    for query in ("unite=%00", "service=%00", "agent=%00", "apres=2026-01-01_%00", "flag=%00"):
        assert agent.get(f"/bureau/?{query}").status_code == 200, query
    assert signed_in(personas.supervisor).get("/resultats/?exercice=%00").status_code in (
        200,
        400,
    )
    assert Client().get("/accounts/activer/%00/").status_code in (200, 404)
