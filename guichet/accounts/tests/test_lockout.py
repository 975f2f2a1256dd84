"""Repeated failed log-ins: the account locks (django-axes), an address never does."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as live
from django.test import Client

from guichet.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test accounts)
WRONG = "pas-le-bon-mot-de-passe"
NOW = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)
X, Y = "198.51.100.7", "203.0.113.20"  # two clients' addresses


@pytest.fixture(autouse=True)
def _lock_out_on(settings: Any) -> None:
    settings.AXES_ENABLED = True


@pytest.fixture
def client_a() -> User:
    return User.objects.create_user("cliente-a@example.org", PASSWORD, full_name="Ana Exemple")


@pytest.fixture
def client_b() -> User:
    return User.objects.create_user("client-b@example.org", PASSWORD, full_name="Bo Exemple")


def log_in(browser: Client, email: str, password: str) -> Any:
    return browser.post("/accounts/login/", {"username": email, "password": password})


def logged_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


# --- The account locks; the address does not ----------------------------------------------------


def test_five_failures_lock_the_account_and_not_the_other_accounts_of_the_address(
    client_a: User, client_b: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        browser = Client(REMOTE_ADDR=X)
        for _ in range(4):
            assert log_in(browser, client_a.email, WRONG).status_code == 200
        fifth = log_in(browser, client_a.email, WRONG)
        assert fifth.status_code == 429
        assert "Compte temporairement verrouillé" in fifth.content.decode()
        locked = log_in(browser, client_a.email, PASSWORD)  # even the right password
        assert locked.status_code == 429
        assert not logged_in(browser)
        # Axes counted the failures against the account (and its address).
        assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
            (client_a.email, X)
        ]

        # Another client, from the same address (the same proxy, the same café), logs in.
        neighbour = Client(REMOTE_ADDR=X)
        response = log_in(neighbour, client_b.email, PASSWORD)
        assert (response.status_code, response["Location"]) == (302, "/accounts/accueil/")
        assert logged_in(neighbour)


def test_a_locked_account_is_locked_from_every_address_until_the_cool_off_ends(
    client_a: User,
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        attacker = Client(REMOTE_ADDR=X)
        for _ in range(5):
            log_in(attacker, client_a.email, WRONG)
        # The owner, elsewhere, with the right password: locked too (the account, not the pair).
        owner = Client(REMOTE_ADDR=Y)
        assert log_in(owner, client_a.email, PASSWORD).status_code == 429
        assert log_in(attacker, client_a.email, PASSWORD).status_code == 429
        assert not logged_in(owner) and not logged_in(attacker)
        # Each attempt during the lock starts its fifteen minutes again...
        clock.shift(timedelta(minutes=10))
        assert log_in(attacker, client_a.email, WRONG).status_code == 429
        clock.shift(timedelta(minutes=10))
        assert log_in(owner, client_a.email, PASSWORD).status_code == 429
        # ...and fifteen minutes after the last one, the account opens again.
        clock.shift(timedelta(minutes=15, seconds=1))
        response = log_in(owner, client_a.email, PASSWORD)
        assert response.status_code == 302
        assert logged_in(owner)


def test_failures_spread_over_addresses_lock_the_account(client_a: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for n in range(4):
            assert log_in(
                Client(REMOTE_ADDR=f"192.0.2.{n}"), client_a.email, WRONG
            ).status_code == (200)
        assert log_in(Client(REMOTE_ADDR="192.0.2.4"), client_a.email, WRONG).status_code == 429
        assert log_in(Client(REMOTE_ADDR=X), client_a.email, PASSWORD).status_code == 429


def test_the_failures_of_others_never_lock_anyone(client_a: User) -> None:
    # Five people, five addresses, one wrong password each: nobody sees the locked page.
    for n in range(5):
        response = log_in(Client(REMOTE_ADDR=f"192.0.2.{n}"), f"inconnu-{n}@example.org", WRONG)
        assert response.status_code == 200, n
    assert log_in(Client(REMOTE_ADDR=X), client_a.email, WRONG).status_code == 200
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == [
        client_a.email,
        *(f"inconnu-{n}@example.org" for n in range(5)),
    ]


def test_the_case_of_the_address_does_not_make_another_account(client_a: User) -> None:
    browser = Client(REMOTE_ADDR=X)
    for typed in ("Cliente-A@example.org", "CLIENTE-A@EXAMPLE.ORG", " cliente-a@example.org "):
        log_in(browser, typed, WRONG)
    log_in(browser, "cliente-a@Example.org", WRONG)
    assert log_in(browser, client_a.email, WRONG).status_code == 429


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        (
            "en",
            "Account temporarily locked",
            "Too many log-in attempts have failed for this account. To protect it, logging in "
            "is blocked for 15 minutes.",
        ),
        (
            "es",
            "Cuenta bloqueada temporalmente",
            "Han fallado demasiados intentos de inicio de sesión para esta cuenta. Para "
            "protegerla, el inicio de sesión queda bloqueado durante 15 minutos.",
        ),
    ],
)
def test_the_locked_page_in_the_visitors_language(
    client_a: User, language: str, title: str, text: str
) -> None:
    browser = Client(REMOTE_ADDR=X)
    browser.cookies[live.LANGUAGE_COOKIE_NAME] = language
    for _ in range(5):
        response = log_in(browser, client_a.email, WRONG)
    assert response.status_code == 429
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert f"<h1>{title}</h1>" in html
    assert f'<p role="alert">{text}</p>' in html
