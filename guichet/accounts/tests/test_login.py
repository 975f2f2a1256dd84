"""Logging in: e-mail and password, argon2 hashes, lock-out after repeated failures."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test account)


@pytest.fixture
def person() -> User:
    return User.objects.create_user("personne@example.org", PASSWORD, full_name="Alex Exemple")


def log_in(client: Client, password: str) -> Any:
    return client.post(
        "/accounts/login/", {"username": "personne@example.org", "password": password}
    )


def test_login_and_logout(person: User) -> None:
    client = Client()
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/accueil/"
    assert client.get("/accounts/accueil/")["Location"] == "/dossiers/"
    logout = client.post("/accounts/logout/")
    assert (logout.status_code, logout["Location"]) == (302, "/")
    assert client.get("/dossiers/").status_code == 302


def test_wrong_password_says_so_in_french(person: User) -> None:
    response = log_in(Client(), "mauvais")
    assert response.status_code == 200
    assert (
        "Votre adresse courriel ou votre mot de passe est incorrect." in response.content.decode()
    )


def test_passwords_are_hashed_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.create_user("argon@example.org", PASSWORD)
    assert user.password.startswith("argon2$")


def test_brute_force_locks_the_account(person: User, settings: Any) -> None:
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(4):
        assert log_in(client, "essai-au-hasard").status_code == 200
    assert log_in(client, "essai-au-hasard").status_code == 429  # the fifth failure locks
    locked = log_in(client, PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Compte temporairement verrouillé" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person is not affected, even on the same address: the account locks, never an
    # address, which everyone behind one proxy shares (more in test_lockout.py).
    other = User.objects.create_user("autre@example.org", PASSWORD)
    response = Client().post("/accounts/login/", {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_sessions_expire_when_idle(settings: Any, person: User) -> None:
    from django.conf import settings as live
    from django.contrib.sessions.models import Session

    assert live.SESSION_COOKIE_AGE == 1800
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    client = Client()
    with time_machine.travel(start, tick=False) as clock:
        assert log_in(client, PASSWORD).status_code == 302
        key = client.session.session_key

        def expiry() -> datetime:
            return Session.objects.get(session_key=key).expire_date

        first = expiry()
        # Pages within the minute do not write the session again...
        clock.shift(timedelta(seconds=30))
        assert client.get("/dossiers/").status_code == 200
        assert expiry() == first
        # ...the first page after it moves the expiry: activity keeps the session alive.
        clock.shift(timedelta(seconds=40))
        assert client.get("/dossiers/").status_code == 200
        assert expiry() == start + timedelta(seconds=70 + 1800)
        # Thirty minutes without a page: the session is over.
        clock.shift(timedelta(seconds=1801))
        response = client.get("/dossiers/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert live.SESSION_COOKIE_HTTPONLY is True
