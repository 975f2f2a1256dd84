"""Re-authentication before sensitive actions: the password (and code) again after 5 minutes."""

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from guichet.accounts.models import User
from guichet.accounts.reauth import recent_auth_ok, recent_auth_required, record_recent_auth
from guichet.accounts.tests.helpers import code_for, log_in
from guichet.testing import PASSWORD

pytestmark = pytest.mark.django_db
NOW = "2026-03-02 09:00:00 -05:00"
CONFIRM = "/accounts/confirmer/"


@pytest.fixture
def person() -> User:
    return User.objects.create_user("personne@example.org", PASSWORD, full_name="Alex Exemple")


@recent_auth_required
def sensitive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("fait")


def request_for(user: Any, session: SessionStore | None = None) -> HttpRequest:
    request = RequestFactory().get("/exporter/?format=json")
    request.user = user
    request.session = session if session is not None else SessionStore()
    return request


def test_recent_auth_ok_lasts_five_minutes(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        request = request_for(person)
        assert recent_auth_ok(request) is False
        record_recent_auth(request, second_factor=False)
        assert recent_auth_ok(request) is True
        traveller.shift(4 * 60 + 59)
        assert recent_auth_ok(request) is True
        traveller.shift(1)
        assert recent_auth_ok(request) is False


def test_the_decorator_sends_to_the_confirmation_page_and_back(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        session = SessionStore()
        record_recent_auth(request_for(person, session), second_factor=False)
        done = sensitive(request_for(person, session))
        assert isinstance(done, HttpResponse)
        assert done.content == b"fait"
        traveller.shift(5 * 60)
        response = sensitive(request_for(person, session))
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirmer/?next=/exporter/%3Fformat%3Djson"
        anonymous = sensitive(request_for(AnonymousUser()))
        assert anonymous["Location"] == "/accounts/login/?next=/exporter/%3Fformat%3Djson"


def test_a_late_post_comes_back_to_the_page_of_the_form(person: User) -> None:
    factory = RequestFactory()
    for referer, expected in [
        (
            "http://testserver/dossiers/2026-000001/?onglet=lettres",
            "/dossiers/2026-000001/%3Fonglet%3Dlettres",
        ),
        ("https://ailleurs.example/piege/", "/accounts/accueil/"),
        ("", "/accounts/accueil/"),
    ]:
        request = factory.post("/exporter/", HTTP_REFERER=referer)
        request.user = person
        request.session = SessionStore()
        response = sensitive(request)
        assert response["Location"] == f"/accounts/confirmer/?next={expected}"


def test_logging_in_counts_as_a_confirmation(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        log_in(client, person.email, PASSWORD)
        request = request_for(person, SessionStore(client.session.session_key))
        assert recent_auth_ok(request) is True
        traveller.shift(5 * 60)
        assert recent_auth_ok(request_for(person, SessionStore(client.session.session_key))) is (
            False
        )


def test_the_confirmation_page_asks_for_the_password(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        client.force_login(person)
        page = client.get(f"{CONFIRM}?next=/dossiers/")
        html = page.content.decode()
        assert 'autocomplete="current-password"' in html
        assert "one-time-code" not in html  # no application: no code
        wrong = client.post(CONFIRM, {"password": "mauvais", "next": "/dossiers/"})
        assert wrong.status_code == 200
        assert "Ce mot de passe est incorrect." in wrong.content.decode()
        assert 'href="#id_password"' in wrong.content.decode()
        right = client.post(CONFIRM, {"password": PASSWORD, "next": "/dossiers/"})
        assert right["Location"] == "/dossiers/"
        session = SessionStore(client.session.session_key)
        assert recent_auth_ok(request_for(person, session)) is True
        traveller.shift(5 * 60)
        assert recent_auth_ok(request_for(person, SessionStore(session.session_key))) is False


def test_the_confirmation_page_refuses_other_sites(person: User) -> None:
    client = Client()
    client.force_login(person)
    response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://ailleurs.example/"})
    assert response["Location"] == "/accounts/accueil/"


def test_with_an_application_the_code_is_asked_too(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        log_in(client, person.email, PASSWORD)
        client.get("/accounts/double-authentification/")
        secret = client.session["guichet_totp_candidate"]
        client.post("/accounts/double-authentification/", {"code": code_for(secret)})
        traveller.shift(6 * 60)
        html = client.get(CONFIRM).content.decode()
        assert 'autocomplete="one-time-code"' in html
        # The password alone is not enough, nor a used code.
        used = client.post(CONFIRM, {"password": PASSWORD, "code": code_for(secret, 0) + "x"})
        assert used.status_code == 200
        request = request_for(person, SessionStore(client.session.session_key))
        assert recent_auth_ok(request) is False
        done = client.post(CONFIRM, {"password": PASSWORD, "code": code_for(secret)})
        assert done.status_code == 302
        assert recent_auth_ok(request_for(person, SessionStore(client.session.session_key)))
        # A confirmation without the code does not count for someone who has an application.
        session = SessionStore(client.session.session_key)
        record_recent_auth(request_for(person, session), second_factor=False)
        assert recent_auth_ok(request_for(person, session)) is False


def test_five_wrong_confirmations_log_out(person: User) -> None:
    client = Client()
    client.force_login(person)
    for _ in range(4):
        assert client.post(CONFIRM, {"password": "mauvais"}).status_code == 200
    last = client.post(CONFIRM, {"password": "mauvais"})
    assert last["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
