"""Logging in: e-mail and password, argon2 hashes, lock-out after repeated failures."""

from typing import Any

import pytest
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
    # Another person on another address is not affected.
    other = User.objects.create_user("autre@example.org", PASSWORD)
    response = Client(REMOTE_ADDR="10.0.0.9").post(
        "/accounts/login/", {"username": other.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_sessions_expire_when_idle(settings: Any) -> None:
    from django.conf import settings as live

    assert live.SESSION_COOKIE_AGE == 1800
    assert live.SESSION_SAVE_EVERY_REQUEST is True
    assert live.SESSION_COOKIE_HTTPONLY is True
