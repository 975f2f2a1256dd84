"""Repeated failed log-ins: the account locks (django-axes), an address never does; a network
that fails on many accounts is slowed down (throttle.py). Behind a trusted proxy each client is
seen by its own address; a forwarded address from anyone else is ignored."""

import html
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.models import AccessLog as AxesAccessLog
from django.conf import settings as live
from django.test import Client

from guichet.accounts import throttle
from guichet.accounts.models import LoginThrottle, User

pytestmark = pytest.mark.django_db
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test accounts)
WRONG = "pas-le-bon-mot-de-passe"
NOW = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)
X, Y = "198.51.100.7", "203.0.113.20"  # two clients' addresses
PROXY = "10.0.0.2"
THROTTLED_FR = (
    "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Votre mot de "
    "passe n'a pas été vérifié : réessayez dans {}."
)


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


def spray(browser: Client, count: int) -> None:
    """`count` wrong passwords, one on each of as many addresses: no account reaches its
    limit, only the network's count grows."""
    for n in range(count):
        response = log_in(browser, f"inconnu-{n}@example.org", WRONG)
        assert response.status_code == 200, n


def error_summary(response: Any) -> str:
    """The page's error summary, its entities decoded."""
    page = response.content.decode()
    start = page.index('<div class="error-summary"')
    return html.unescape(page[start : page.index("</div>", start)])


# --- The account locks; the address does not ----------------------------------------------------


def test_a_successful_log_in_leaves_nothing_in_axes_tables(client_a: User) -> None:
    """Guichet's access log records log-ins; axes keeps only failures, until they expire."""
    browser = Client(REMOTE_ADDR=X)
    log_in(browser, client_a.email, WRONG)
    log_in(browser, client_a.email, PASSWORD)
    assert logged_in(browser)
    assert AxesAccessLog.objects.count() == 0
    assert AccessAttempt.objects.count() == 0  # reset on success


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


# --- The network is slowed down ---------------------------------------------------------------


def test_waits_grow_with_each_failure_past_the_threshold() -> None:
    assert [throttle.wait_after(n) for n in range(17, 27)] == [
        0, 0, 0, 30, 60, 120, 240, 300, 300, 300,
    ]  # fmt: skip
    assert throttle.wait_after(10**9) == 300


def test_an_address_failing_on_many_accounts_is_slowed_down_not_locked(client_b: User) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        browser = Client(REMOTE_ADDR=X)
        spray(browser, 19)
        # Below the threshold nothing waits: the right password works at once.
        assert log_in(Client(REMOTE_ADDR=X), client_b.email, PASSWORD).status_code == 302
        spray(browser, 1)  # the twentieth failure
        assert LoginThrottle.objects.get().failures == 20

        # The next attempt from that address waits, even with the right password of an account
        # that never failed; it is not counted, and it says how long.
        other = Client(REMOTE_ADDR=X)
        refused = log_in(other, client_b.email, PASSWORD)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "30"
        assert THROTTLED_FR.format("30 secondes") in error_summary(refused)
        assert 'value="client-b@example.org"' in refused.content.decode()  # no need to retype it
        assert not logged_in(other)
        assert LoginThrottle.objects.get().failures == 20
        # Not a lock: no account is locked, and another address is not slowed down.
        assert AccessAttempt.objects.filter(username=client_b.email).count() == 0
        elsewhere = Client(REMOTE_ADDR=Y)
        assert log_in(elsewhere, client_b.email, PASSWORD).status_code == 302

        clock.shift(29)
        refused = log_in(other, client_b.email, PASSWORD)
        assert (refused.status_code, refused["Retry-After"]) == (429, "1")
        assert THROTTLED_FR.format("1 seconde") in error_summary(refused)

        clock.shift(1)  # the wait is over
        assert log_in(other, client_b.email, PASSWORD).status_code == 302
        assert logged_in(other)
        # A log-in that succeeds does not reset the count (an attacker's own account would).
        assert LoginThrottle.objects.get().failures == 20

        # Each further failure doubles the wait.
        spray(browser, 1)
        refused = log_in(Client(REMOTE_ADDR=X), client_b.email, PASSWORD)
        assert (refused.status_code, refused["Retry-After"]) == (429, "60")
        assert THROTTLED_FR.format("1 minute") in error_summary(refused)
        clock.shift(60)
        spray(browser, 1)
        refused = log_in(Client(REMOTE_ADDR=X), client_b.email, PASSWORD)
        assert (refused.status_code, refused["Retry-After"]) == (429, "120")
        assert THROTTLED_FR.format("2 minutes") in error_summary(refused)
        clock.shift(30)
        refused = log_in(Client(REMOTE_ADDR=X), client_b.email, PASSWORD)
        assert (refused.status_code, refused["Retry-After"]) == (429, "90")
        assert THROTTLED_FR.format("2 minutes") in error_summary(refused)  # 1 min 30 s, rounded up


def test_fifteen_quiet_minutes_forget_the_address(client_b: User) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        browser = Client(REMOTE_ADDR=X)
        spray(browser, 20)
        clock.shift(timedelta(minutes=14, seconds=59))
        spray(browser, 1)  # within fifteen minutes of the last failure: still counted
        assert LoginThrottle.objects.get().failures == 21
        clock.shift(timedelta(minutes=15))
        assert log_in(Client(REMOTE_ADDR=X), client_b.email, PASSWORD).status_code == 302
        spray(browser, 1)
        assert LoginThrottle.objects.get().failures == 1  # a new count


def test_wrong_confirmations_and_locked_accounts_count_for_the_network(
    client_a: User, client_b: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        browser = Client(REMOTE_ADDR=X)
        for _ in range(7):  # five failures, then two attempts on the locked account
            log_in(browser, client_a.email, WRONG)
        assert LoginThrottle.objects.get().failures == 7
        signed_in = Client(REMOTE_ADDR=X)
        assert log_in(signed_in, client_b.email, PASSWORD).status_code == 302
        signed_in.post("/accounts/confirmer/", {"password": WRONG})
        assert LoginThrottle.objects.get().failures == 8


def test_an_ipv6_client_is_throttled_by_its_slash_64() -> None:
    with time_machine.travel(NOW, tick=False):
        for n in range(20):
            log_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}"), f"inconnu-{n}@example.org", WRONG)
        assert throttle.seconds_to_wait("2001:db8:1:2:ffff::1") == 30
        assert throttle.seconds_to_wait("2001:db8:1:3::1") == 0
        assert LoginThrottle.objects.get().network == "2001:db8:1:2::/64"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Too many log-in attempts have failed from your network address. Your password "
            "was not checked: try again in 30 seconds.",
        ),
        (
            "es",
            "Han fallado demasiados intentos de inicio de sesión desde su dirección de red. No "
            "se verificó su contraseña: vuelva a intentarlo dentro de 30 segundos.",
        ),
    ],
)
def test_the_wait_is_said_in_the_visitors_language(
    client_b: User, language: str, text: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        spray(Client(REMOTE_ADDR=X), 20)
        browser = Client(REMOTE_ADDR=X)
        browser.cookies[live.LANGUAGE_COOKIE_NAME] = language
        refused = log_in(browser, client_b.email, PASSWORD)
    assert refused.status_code == 429
    assert f'<html lang="{language}"' in refused.content.decode()
    assert f"<li>{text}</li>" in error_summary(refused)


# --- Behind a reverse proxy ----------------------------------------------------------------------


def test_clients_behind_a_trusted_proxy_are_each_their_own(
    settings: Any, client_a: User, client_b: User
) -> None:
    settings.GUICHET_TRUSTED_PROXIES = ["10.0.0.0/24"]
    with time_machine.travel(NOW, tick=False):
        # nginx appends the address it received the request from; a client may write anything
        # before it, and change it at every attempt.
        for n in range(20):
            log_in(
                Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {X}"),
                f"inconnu-{n}@example.org",
                WRONG,
            )
        refused = log_in(
            Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=X), client_a.email, PASSWORD
        )
        assert refused.status_code == 429
        # Another client through the same proxy is not slowed down...
        other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=Y)
        assert log_in(other, client_b.email, PASSWORD).status_code == 302
        # ...and django-axes saw the same clients' addresses, not the proxy's.
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}
        assert list(LoginThrottle.objects.values_list("network", flat=True)) == [X]


def test_a_forged_forwarded_address_from_an_untrusted_peer_is_ignored(
    settings: Any, client_b: User
) -> None:
    settings.GUICHET_TRUSTED_PROXIES = ["10.0.0.0/24"]  # X is not one of them
    with time_machine.travel(NOW, tick=False):
        for n in range(20):  # a new forged address at every attempt
            log_in(
                Client(REMOTE_ADDR=X, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"),
                f"inconnu-{n}@example.org",
                WRONG,
            )
        refused = log_in(
            Client(REMOTE_ADDR=X, HTTP_X_FORWARDED_FOR="203.0.113.99"), client_b.email, PASSWORD
        )
        assert refused.status_code == 429
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}
        # Nor does a forged header pass for the proxy's client without any trusted proxy.
        settings.GUICHET_TRUSTED_PROXIES = []
        refused = log_in(
            Client(REMOTE_ADDR=X, HTTP_X_FORWARDED_FOR="203.0.113.99"), client_b.email, PASSWORD
        )
        assert refused.status_code == 429


def test_the_logs_name_no_address_and_no_account(
    client_a: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(NOW, tick=False):
        browser = Client(REMOTE_ADDR=X)
        for _ in range(5):
            log_in(browser, client_a.email, WRONG)
        spray(browser, 15)
        assert log_in(browser, client_a.email, PASSWORD).status_code == 429
    messages = [record.getMessage() for record in caplog.records]
    assert (
        "Log-in throttle: a network has 20 failed log-ins; it waits 30 s before its next."
        in messages
    )
    # What any formatter could print: the message, its arguments and every extra attribute.
    everything = "\n".join(f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in caplog.records)
    for personal in (X, client_a.email, "inconnu-", "Ana Exemple"):
        assert personal not in everything
