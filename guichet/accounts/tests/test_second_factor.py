"""The second factor: enrolment, log-in with a code, no reuse, five failures, and staff who
may reach nothing but the enrolment page until they have an application."""

from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts import totp
from guichet.accounts.mfa import PENDING_KEY, VERIFIED_KEY
from guichet.accounts.middleware import SecondFactorMiddleware
from guichet.accounts.models import TotpDevice, User
from guichet.accounts.reauth import SESSION_KEY as REAUTH_KEY
from guichet.accounts.tests.helpers import MAILBOX, code_for, log_in, prove_mailbox
from guichet.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db
ENROL = "/accounts/double-authentification/"
VERIFY = "/accounts/verification/"
NOW = "2026-03-02 09:00:00 -05:00"


@pytest.fixture(autouse=True)
def _staff_must_use_a_second_factor(settings: Any) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True


@pytest.fixture
def person() -> User:
    return User.objects.create_user("personne@example.org", PASSWORD, full_name="Alex Exemple")


def enrol(client: Client) -> str:
    """Enrol an application from a signed-in session; return its secret. Staff enrolling their
    first application type the code e-mailed to them first."""
    page = client.get(ENROL)
    if page.status_code == 302 and page["Location"].startswith(MAILBOX):
        prove_mailbox(client)
        page = client.get(ENROL)
    assert page.status_code == 200
    secret = client.session["guichet_totp_candidate"]
    response = client.post(ENROL, {"code": code_for(secret)})
    assert response.status_code == 302, response.content.decode()
    return str(secret)


def device_of(user: User) -> TotpDevice:
    return TotpDevice.objects.get(user=user)


def test_enrolment_shows_the_key_and_the_uri_and_asks_for_a_first_code(person: User) -> None:
    with time_machine.travel(NOW, tick=False):
        client = Client()
        log_in(client, person.email, PASSWORD)
        page = client.get(ENROL).content.decode()
        secret = client.session["guichet_totp_candidate"]
        assert totp.grouped(secret) in page
        uri = totp.provisioning_uri(secret, person.email, "Guichet")
        assert uri.replace("&", "&amp;") in page
        assert 'autocomplete="one-time-code"' in page
        assert 'inputmode="numeric"' in page
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
        assert "<title>Code QR de configuration pour Guichet</title>" in page
        assert client.get(ENROL).content.decode().count(totp.grouped(secret)) == 1  # same key
        assert not TotpDevice.objects.exists()

        wrong = client.post(ENROL, {"code": "000000" if code_for(secret) != "000000" else "1"})
        assert wrong.status_code == 200
        assert "Ce code n&#x27;est pas le bon" in wrong.content.decode()
        assert 'href="#id_code"' in wrong.content.decode()
        assert not TotpDevice.objects.exists()

        done = client.post(ENROL, {"code": code_for(secret)})
        assert done["Location"] == "/accounts/securite/"
        device = device_of(person)
        assert device.secret == secret
        assert device.confirmed_at is not None
        assert device.last_used_step == totp.time_step(device.confirmed_at.timestamp())
        assert client.session[VERIFIED_KEY] is True
        assert "Activée le" in client.get("/accounts/securite/").content.decode()


def test_log_in_with_the_right_code(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)  # the next step: the enrolment code is used up
        client = Client()
        response = log_in(client, person.email, PASSWORD)
        assert (response.status_code, response["Location"]) == (302, VERIFY)
        assert "_auth_user_id" not in client.session  # not logged in yet
        assert client.get("/dossiers/")["Location"].startswith("/accounts/login/")
        page = client.get(VERIFY).content.decode()
        assert 'autocomplete="one-time-code"' in page
        done = client.post(VERIFY, {"code": code_for(secret)})
        assert (done.status_code, done["Location"]) == (302, "/accounts/accueil/")
        assert client.session["_auth_user_id"] == str(person.pk)
        assert client.session[VERIFIED_KEY] is True
        assert PENDING_KEY not in client.session
        assert client.get("/dossiers/").status_code == 200


def test_the_next_page_survives_the_second_step(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)
        client = Client()
        client.post(
            "/accounts/login/",
            {"username": person.email, "password": PASSWORD, "next": "/dossiers/"},
        )
        assert client.post(VERIFY, {"code": code_for(secret)})["Location"] == "/dossiers/"


def test_wrong_and_reused_codes_are_refused(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        client = Client()
        log_in(client, person.email, PASSWORD)
        # The code that confirmed the enrolment, in the same 30 seconds: already used.
        reused = client.post(VERIFY, {"code": code_for(secret)})
        assert reused.status_code == 200
        assert "Ce code a déjà servi" in reused.content.decode()
        assert "Il vous reste 4 essais." in reused.content.decode()
        wrong = client.post(VERIFY, {"code": wrong_code(secret)})
        assert "Ce code n&#x27;est pas le bon" in wrong.content.decode()
        assert "_auth_user_id" not in client.session
        # A malformed code is only a typing error: it does not use up an attempt.
        typo = client.post(VERIFY, {"code": "12 34"})
        assert "Entrez les 6 chiffres" in typo.content.decode()
        traveller.shift(30)
        code = code_for(secret)
        assert client.post(VERIFY, {"code": code[:3] + " " + code[3:]}).status_code == 302
        # Logged in: the same code cannot log in a second session.
        other = Client()
        log_in(other, person.email, PASSWORD)
        assert "Ce code a déjà servi" in other.post(VERIFY, {"code": code}).content.decode()


def test_five_wrong_codes_drop_the_pending_log_in(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)
        client = Client()
        log_in(client, person.email, PASSWORD)
        for left in (4, 3, 2, 1):
            response = client.post(VERIFY, {"code": wrong_code(secret)})
            assert f"Il vous reste {left} essai" in response.content.decode()
        last = client.post(VERIFY, {"code": wrong_code(secret)})
        assert (last.status_code, last["Location"]) == (302, "/accounts/login/")
        assert PENDING_KEY not in client.session
        assert "Trop de codes incorrects" in client.get("/accounts/login/").content.decode()
        # Even the right code is now useless: the password must be given again.
        again = client.post(VERIFY, {"code": code_for(secret)})
        assert again["Location"] == "/accounts/login/"
        assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lock_out(person: User, settings: Any) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)
        settings.AXES_ENABLED = True
        client = Client()
        log_in(client, person.email, PASSWORD)
        for _ in range(4):
            assert client.post(VERIFY, {"code": wrong_code(secret)}).status_code == 200
        assert client.post(VERIFY, {"code": wrong_code(secret)}).status_code == 429
        assert log_in(Client(), person.email, PASSWORD).status_code == 429


def test_a_pending_log_in_expires_after_five_minutes(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)
        client = Client()
        log_in(client, person.email, PASSWORD)
        traveller.shift(5 * 60)
        response = client.post(VERIFY, {"code": code_for(secret)})
        assert response["Location"] == "/accounts/login/"
        assert "_auth_user_id" not in client.session


def test_a_session_logged_in_another_way_must_give_the_code(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        secret = enrol(logged_in(person))
        traveller.shift(30)
        client = Client()
        client.force_login(person)
        response = client.get("/dossiers/")
        assert response["Location"] == f"{VERIFY}?next=/dossiers/"
        assert client.post(response["Location"], {"code": code_for(secret)})["Location"] == (
            "/dossiers/"
        )
        assert client.get("/dossiers/").status_code == 200


def test_clients_may_remove_their_application_after_confirming(person: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(person)
        secret = enrol(client)
        traveller.shift(6 * 60)  # the confirmation at enrolment is now too old
        response = client.post("/accounts/double-authentification/retirer/")
        assert response["Location"].startswith("/accounts/confirmer/?next=")
        assert TotpDevice.objects.exists()
        client.post("/accounts/confirmer/", {"password": PASSWORD, "code": code_for(secret)})
        response = client.post("/accounts/double-authentification/retirer/")
        assert response["Location"] == "/accounts/securite/"
        assert not TotpDevice.objects.exists()
        assert log_in(Client(), person.email, PASSWORD)["Location"] == "/accounts/accueil/"


def test_replacing_the_application_keeps_the_old_one_until_the_new_one_works(
    person: User,
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(person)
        old = enrol(client)
        traveller.shift(30)
        page = client.get(ENROL).content.decode()
        assert "Remplacer votre application" in page
        new = client.session["guichet_totp_candidate"]
        assert new != old
        assert device_of(person).secret == old
        client.post(ENROL, {"code": code_for(new)})
        assert device_of(person).secret == new


# --- Staff ------------------------------------------------------------------------------


def test_staff_without_an_application_can_only_enrol(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = Client()
        response = log_in(client, agent.email, PASSWORD)
        assert response["Location"] == "/accounts/accueil/"
        # Logged in, but every page leads to the enrolment.
        for path in ("/accounts/accueil/", "/bureau/", "/dossiers/", "/", "/admin/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith(ENROL + "?next="), path
        assert client.get("/bureau/")["Location"] == f"{ENROL}?next=/bureau/"
        # Static files, the API (token auth) and the enrolment pages stay reachable; the
        # first one asks for the code e-mailed to the account, keeping where to go next.
        assert client.get("/api/openapi.json").status_code == 200
        first = client.get(f"{ENROL}?next=/bureau/")
        assert first["Location"] == f"{MAILBOX}?next=%2Fbureau%2F"
        page = client.get(first["Location"])
        assert page.status_code == 200
        assert "obligatoire pour le personnel" in page.content.decode()
        prove_mailbox(client, "/bureau/")
        page = client.get(f"{ENROL}?next=/bureau/")
        assert page.status_code == 200
        assert "obligatoire pour le personnel" in page.content.decode()

        secret = client.session["guichet_totp_candidate"]
        done = client.post(ENROL, {"code": code_for(secret), "next": "/bureau/"})
        assert done["Location"] == "/bureau/"
        assert client.get("/bureau/").status_code == 200

        # Next time, the code is asked at log-in.
        client.post("/accounts/logout/")
        traveller.shift(30)
        client = Client()
        assert log_in(client, agent.email, PASSWORD)["Location"] == VERIFY
        assert client.post(VERIFY, {"code": code_for(secret)})["Location"] == ("/accounts/accueil/")
        assert client.get("/accounts/accueil/")["Location"] == "/bureau/"
        assert client.get("/bureau/").status_code == 200


def test_staff_may_log_out_while_confined(personas: Personas) -> None:
    client = Client()
    log_in(client, personas.agent.email, PASSWORD)
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session


def test_staff_sessions_without_the_code_never_reach_the_back_office(
    personas: Personas,
) -> None:
    """`force_login` stands for any door other than our log-in page."""
    client = Client()
    client.force_login(personas.supervisor)
    assert client.get("/bureau/")["Location"] == f"{ENROL}?next=/bureau/"
    # Without a recent password, even enrolment asks for it first.
    assert client.get(ENROL)["Location"].startswith("/accounts/confirmer/?next=")
    assert client.get("/accounts/confirmer/").status_code == 200


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True}])
def test_django_staff_and_superusers_must_enrol_too(flags: dict[str, bool]) -> None:
    User.objects.create_user("admin@example.org", PASSWORD, **flags)
    client = Client()
    log_in(client, "admin@example.org", PASSWORD)
    assert client.get("/admin/")["Location"] == f"{ENROL}?next=/admin/"


def test_the_admin_logs_in_through_our_page() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/admin/")


def test_staff_cannot_remove_their_application(personas: Personas) -> None:
    with time_machine.travel(NOW, tick=False):
        client = logged_in(personas.agent)
        enrol(client)
        response = client.post("/accounts/double-authentification/retirer/")
        assert response["Location"] == "/accounts/securite/"
        assert TotpDevice.objects.filter(user=personas.agent).exists()


def test_the_setting_turns_the_staff_requirement_off(personas: Personas, settings: Any) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(personas.agent)
    assert client.get("/bureau/").status_code == 200


def test_clients_without_an_application_are_not_bothered(person: User) -> None:
    client = Client()
    client.force_login(person)
    assert client.get("/dossiers/").status_code == 200
    assert REAUTH_KEY not in client.session


def test_the_middleware_is_right_after_authentication(settings: Any) -> None:
    middleware = list(settings.MIDDLEWARE)
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == (
        f"{SecondFactorMiddleware.__module__}.{SecondFactorMiddleware.__name__}"
    )


# --- helpers ------------------------------------------------------------------------------


def logged_in(user: User) -> Client:
    client = Client()
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    return client


def wrong_code(secret: str) -> str:
    """A well-formed code that is none of the three accepted now."""
    import time

    now = time.time()
    near = {totp.code_at(secret, now + 30 * offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)
