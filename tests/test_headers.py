"""Permissions-Policy on every response; Cache-Control no-store, private on every response that
can show personal information (guichet/headers.py).

Walks every URL of the project (the walk of test_url_access.py) as each persona: anonymous, the
client who owns a dossier, the unit's agent and supervisor, the administrator and the privacy
officer; then the API with a token. Whatever the status (page, redirect, refusal, 404), a
signed-in persona's response is never stored; an anonymous visitor's account pages neither;
the public pages are left cacheable.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from guichet.accounts.models import GlobalRole, Membership, RoleGrant, StaffRole, User
from guichet.accounts.services import api_token_create as token_create
from guichet.headers import PERMISSIONS_POLICY
from guichet.testing import PASSWORD, Personas
from tests.test_url_access import concrete, sample_values, walk

pytestmark = pytest.mark.django_db

# Public pages: the same for everybody, cacheable for a visitor who is not signed in.
PUBLIC = {
    "catalogue:home",
    "privacy:policy",
    "privacy:policy_version",
    "api:openapi-json",
    "api:openapi-view",
}


def directives(response: Any) -> set[str]:
    value = response.get("Cache-Control", "")
    return {part.strip().split("=")[0] for part in value.split(",") if part.strip()}


def not_stored(response: Any) -> bool:
    return {"no-store", "private"} <= directives(response)


@pytest.fixture
def people(personas: Personas, administrator: Any) -> dict[str, User]:
    officer = User.objects.create_user(
        "prp@example.org", PASSWORD, full_name="Camille Responsable-Exemple"
    )
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    return {
        "owner": personas.owner,
        "agent": personas.agent,
        "supervisor": personas.supervisor,
        "administrator": administrator,
        "privacy_officer": officer,
    }


def test_every_page_of_every_persona(personas: Personas, administrator: Any, people: Any) -> None:
    values = sample_values(personas, administrator)
    clients = {"anonymous": Client()}
    for name, user in people.items():
        clients[name] = Client()
        assert clients[name].login(username=user.email, password=PASSWORD)
    routes = [(r, n) for r, n in walk(get_resolver().url_patterns) if not r.startswith("admin/")]
    problems = []
    seen_ok = {persona: 0 for persona in clients}
    for route, name in routes:
        path = concrete(route, values)
        for persona, client in clients.items():
            response = client.get(path)
            where = f"{persona} {path} ({response.status_code})"
            if response.get("Permissions-Policy") != PERMISSIONS_POLICY:
                problems.append(f"{where}: Permissions-Policy {response.get('Permissions-Policy')}")
            if persona != "anonymous" or path.startswith("/accounts/"):
                if not not_stored(response):
                    problems.append(f"{where}: Cache-Control {response.get('Cache-Control')}")
            elif name in PUBLIC and "no-store" in directives(response):
                problems.append(f"{where}: a public page marked no-store")
            seen_ok[persona] += response.status_code == 200
    assert problems == []
    # The walk did reach pages with content for everyone, not only refusals.
    assert min(seen_ok.values()) >= 5, seen_ok


def test_downloads_and_a_page_of_the_owner(personas: Personas, administrator: Any) -> None:
    values = sample_values(personas, administrator)
    owner = Client()
    assert owner.login(username=personas.owner.email, password=PASSWORD)
    number = values["number"]
    document = owner.get(f"/dossiers/{number}/documents/{values['document_id']}/")
    letter = owner.get(f"/dossiers/{number}/lettres/{values['letter_id']}/")
    page = owner.get(f"/dossiers/{number}/")
    assert [r.status_code for r in (document, letter, page)] == [200, 200, 200]
    assert [r["Cache-Control"] for r in (document, letter, page)] == ["no-store, private"] * 3


def test_the_public_pages_of_a_visitor_stay_cacheable() -> None:
    visitor = Client()
    for path in ("/", reverse("privacy:policy"), "/api/openapi.json"):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert "Cache-Control" not in response, path
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_same_public_page_is_not_stored_for_a_signed_in_client(personas: Personas) -> None:
    client = Client()
    assert client.login(username=personas.owner.email, password=PASSWORD)
    assert client.get("/")["Cache-Control"] == "no-store, private"


def test_the_log_in_page_keeps_its_never_cache_headers(db: None) -> None:
    response = Client().get(reverse("login"))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_the_permissions_policy_denies_what_the_review_named() -> None:
    response = Client().get("/une-page-qui-n-existe-pas/")
    assert response.status_code == 404
    policy = response["Permissions-Policy"].split(", ")
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    ):
        assert f"{feature}=()" in policy
    assert all(item.endswith("=()") for item in policy)


def test_the_api_with_a_token(personas: Personas, administrator: Any) -> None:
    values = sample_values(personas, administrator)
    system = User.objects.create_user("systeme@guichet.example", full_name="Système")
    unit = personas.agent.memberships.get().unit
    Membership.objects.create(user=system, unit=unit, role=StaffRole.AGENT)
    _, secret = token_create(name="Système des études", user=system, actor=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    number = values["number"]
    for path in (f"/api/dossiers/{number}", f"/api/dossiers/{number}/events", "/api/dossiers/x"):
        response = api.get(path)
        assert response.status_code in (200, 404), path
        assert response["Cache-Control"] == "no-store, private", path
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert api.get(f"/api/dossiers/{number}").json()["number"] == number
