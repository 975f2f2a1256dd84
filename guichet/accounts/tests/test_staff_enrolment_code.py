"""Staff enrolling their first authenticator application prove they read the account's mailbox:
a one-time code (8 digits, 15 minutes, once, five tries, stored hashed, a new one after a
minute) is e-mailed to the account's address and typed back before the secret is shown.
Knowing the password is not enough. Clients never see this; staff replacing an application
neither."""

import logging
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from guichet.accounts import services, totp
from guichet.accounts.mfa import MAILBOX_PROOF_KEY, VERIFIED_KEY
from guichet.accounts.models import EnrolmentCode, TotpDevice, User
from guichet.accounts.tests.helpers import (
    MAILBOX,
    code_for,
    last_mail,
    log_in,
    mailbox_code_in,
    prove_mailbox,
)
from guichet.audit.models import AccessAction, AccessLog
from guichet.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db
ENROL = "/accounts/double-authentification/"
CANDIDATE = "guichet_totp_candidate"
NOW = "2026-03-02 09:00:00 -05:00"
SENT = "compte : code d'activation de la validation en deux étapes envoyé par courriel"
ACCEPTED = "compte : code d'activation reçu par courriel confirmé"
REFUSED = "compte : code d'activation reçu par courriel refusé"
BLOCKED = "compte : code d'activation bloqué après trop d'essais"
FAILED = "compte : échec de connexion"  # a wrong code counts towards the lock-out


@pytest.fixture(autouse=True)
def _staff_must_use_a_second_factor(settings: Any) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True


def logged_in(user: User) -> Client:
    client = Client()
    assert log_in(client, user.email, PASSWORD).status_code == 302
    return client


def send(client: Client) -> Any:
    return client.post(MAILBOX, {"envoyer": "1"})


def type_code(client: Client, code: str) -> str:
    response = client.post(MAILBOX, {"code": code})
    assert response.status_code == 200, response.get("Location")
    return response.content.decode()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


def account_events(user: User) -> list[str]:
    rows = AccessLog.objects.filter(action=AccessAction.ACCOUNT, person=user).order_by("id")
    return [row.why for row in rows if row.why not in ("compte : connexion",)]


def enrol_shows_no_secret(client: Client) -> None:
    response = client.get(ENROL)
    assert (response.status_code, response["Location"]) == (302, MAILBOX)
    assert CANDIDATE not in client.session
    page = client.get(MAILBOX).content.decode()
    assert "<svg" not in page and "otpauth://" not in page and "Clé" not in page


# --- Without the code ------------------------------------------------------------------------


def test_without_the_code_no_secret_is_shown_and_no_device_confirmed(
    personas: Personas,
) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False):
        client = logged_in(agent)
        enrol_shows_no_secret(client)
        page = client.get(MAILBOX).content.decode()
        assert "Recevoir un code par courriel" in page
        assert 'name="code"' not in page  # nothing to type before a code is sent
        assert agent.email in page

        # A secret the session knew of before (say, from a visit when the account was a
        # client's) and a right code for it: refused all the same.
        secret = totp.new_secret()
        session = client.session
        session[CANDIDATE] = secret
        session.save()
        refused = client.post(ENROL, {"code": code_for(secret)})
        assert (refused.status_code, refused["Location"]) == (302, MAILBOX)
        assert not TotpDevice.objects.exists()
        assert CANDIDATE not in client.session
        assert VERIFIED_KEY not in client.session
        assert mail.outbox == []
        assert account_events(agent) == []


def test_the_service_refuses_a_staff_enrolment_without_the_proof(personas: Personas) -> None:
    secret = totp.new_secret()
    with pytest.raises(PermissionDenied):
        services.totp_device_confirm(user=personas.agent, secret=secret, code=code_for(secret))
    # Another person's proof, or a made-up one, is no proof.
    with time_machine.travel(NOW, tick=False):
        services.enrolment_code_send(user=personas.supervisor)
        code = mailbox_code_in(last_mail())
        proof = services.enrolment_code_check(user=personas.supervisor, code=code).proof
        assert proof is not None
        for made_up in (proof, proof + 1000):
            with pytest.raises(PermissionDenied):
                services.totp_device_confirm(
                    user=personas.agent, secret=secret, code=code_for(secret), mailbox_proof=made_up
                )
    assert not TotpDevice.objects.exists()


# --- The e-mail and the right code --------------------------------------------------------------


def test_the_right_code_then_enrolment_as_before(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False):
        client = logged_in(agent)
        sent = send(client)
        assert (sent.status_code, sent["Location"]) == (302, MAILBOX)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [agent.email]
        assert message.subject == (
            "Votre code pour activer la validation en deux étapes dans Guichet"
        )
        code = mailbox_code_in(message)
        assert "Il est valide 15 minutes et ne sert qu'une fois." in message.body
        page = client.get(MAILBOX).content.decode()
        assert f"Un code à 8 chiffres vient d&#x27;être envoyé à {agent.email}" in page
        assert 'name="code"' in page and 'autocomplete="one-time-code"' in page

        row = EnrolmentCode.objects.get(user=agent)
        assert code not in row.code_hash and len(row.code_hash) == 64
        assert (row.attempts, row.used_at) == (0, None)
        assert row.expires_at - row.sent_at == EnrolmentCode.VALIDITY

        done = client.post(MAILBOX, {"code": code[:4] + " " + code[4:]})
        assert (done.status_code, done["Location"]) == (302, ENROL)
        assert client.session[MAILBOX_PROOF_KEY] == {"user": agent.pk, "code": row.pk}
        page = client.get(ENROL).content.decode()
        secret = client.session[CANDIDATE]
        assert totp.grouped(secret) in page and "<svg" in page

        confirmed = client.post(ENROL, {"code": code_for(secret)})
        assert confirmed["Location"] == "/accounts/securite/"
        device = TotpDevice.objects.get(user=agent)
        assert (device.secret, device.is_confirmed) == (secret, True)
        assert client.session[VERIFIED_KEY] is True
        assert MAILBOX_PROOF_KEY not in client.session
        assert not EnrolmentCode.objects.exists()  # its work is done
        assert client.get("/bureau/").status_code == 200
        assert account_events(agent) == [
            SENT,
            ACCEPTED,
            "compte : validation en deux étapes activée",
        ]


def test_the_code_goes_to_the_mailbox_only(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(NOW, tick=False):
        client = logged_in(personas.supervisor)
        send(client)
        code = mailbox_code_in(last_mail())
        type_code(client, wrong(code))
        client.post(MAILBOX, {"code": code})
    assert code not in caplog.text
    assert personas.supervisor.email not in caplog.text
    logged = AccessLog.objects.values_list("why", "path")
    assert not [row for row in logged if code in row[0] or code in row[1]]
    assert last_mail().to == [personas.supervisor.email]


# --- Refusals ------------------------------------------------------------------------------------


def test_a_wrong_code(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False):
        client = logged_in(agent)
        send(client)
        code = mailbox_code_in(last_mail())
        page = type_code(client, wrong(code))
        assert "Ce code n&#x27;est pas le bon. Il vous reste 4 essais." in page
        assert 'href="#id_code"' in page
        typo = type_code(client, "1234")  # not eight digits: a typing error, no try used
        assert "Entrez les 8 chiffres du code reçu par courriel." in typo
        assert EnrolmentCode.objects.get(user=agent).attempts == 1
        assert MAILBOX_PROOF_KEY not in client.session
        enrol_shows_no_secret(client)
        assert account_events(agent) == [SENT, REFUSED, FAILED]


def test_an_expired_code(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(agent)
        send(client)
        code = mailbox_code_in(last_mail())
        traveller.shift(15 * 60)
        client.post("/accounts/confirmer/", {"password": PASSWORD})  # the password is old too
        page = type_code(client, code)
        assert "Ce code a expiré. Demandez-en un nouveau." in page
        assert EnrolmentCode.objects.get(user=agent).used_at is None
        enrol_shows_no_secret(client)
        assert account_events(agent) == [SENT, REFUSED]


def test_a_code_one_second_before_it_expires_still_works(personas: Personas) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(personas.agent)
        send(client)
        code = mailbox_code_in(last_mail())
        traveller.shift(15 * 60 - 1)
        client.post("/accounts/confirmer/", {"password": PASSWORD})
        assert client.post(MAILBOX, {"code": code})["Location"] == ENROL


def test_a_reused_code(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False):
        first = logged_in(agent)
        send(first)
        code = mailbox_code_in(last_mail())
        assert first.post(MAILBOX, {"code": code})["Location"] == ENROL
        # Someone else who knows the password, and saw the code: used up, no proof for them.
        other = logged_in(agent)
        page = type_code(other, code)
        assert "Ce code a déjà servi. Demandez-en un nouveau." in page
        assert MAILBOX_PROOF_KEY not in other.session
        enrol_shows_no_secret(other)
        assert account_events(agent) == [SENT, ACCEPTED, REFUSED]


def test_too_many_tries_end_the_code_and_a_new_one_can_be_asked(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(agent)
        send(client)
        code = mailbox_code_in(last_mail())
        for left in (4, 3, 2, 1):
            page = type_code(client, wrong(code))
            assert f"Il vous reste {left} essai" in page
        page = type_code(client, wrong(code))
        assert "Trop de codes incorrects : ce code ne fonctionne plus." in page
        # Even the right code is now useless.
        page = type_code(client, code)
        assert "Trop de codes incorrects" in page
        assert MAILBOX_PROOF_KEY not in client.session
        assert EnrolmentCode.objects.get(user=agent).attempts == 5
        assert account_events(agent) == [
            SENT,
            *[REFUSED, FAILED] * 4,
            BLOCKED,
            FAILED,
            REFUSED,
            FAILED,
        ]

        # A new code, after the short wait.
        assert "Envoyer un nouveau code" not in client.get(MAILBOX).content.decode()
        traveller.shift(60)
        send(client)
        assert len(mail.outbox) == 2
        new = mailbox_code_in(last_mail())
        assert EnrolmentCode.objects.get(user=agent).attempts == 0
        assert client.post(MAILBOX, {"code": new})["Location"] == ENROL


def test_a_new_code_waits_a_minute_and_replaces_the_first(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(agent)
        send(client)
        first = mailbox_code_in(last_mail())
        assert "Envoyer un nouveau code" in client.get(MAILBOX).content.decode()
        too_soon = send(client)
        assert too_soon["Location"] == MAILBOX
        page = client.get(MAILBOX).content.decode()
        assert "Attendez encore 60 secondes avant d&#x27;en demander un nouveau." in page
        traveller.shift(59)
        send(client)
        assert "Attendez encore 1 seconde avant" in client.get(MAILBOX).content.decode()
        assert len(mail.outbox) == 1
        traveller.shift(1)
        send(client)
        assert len(mail.outbox) == 2
        second = mailbox_code_in(last_mail())
        if second != first:  # one chance in 10^8 that they are the same
            assert "Ce code n&#x27;est pas le bon" in type_code(client, first)
        assert client.post(MAILBOX, {"code": second})["Location"] == ENROL
        assert EnrolmentCode.objects.count() == 1
        assert account_events(agent)[:2] == [SENT, SENT]


def test_wrong_codes_count_towards_the_lock_out(personas: Personas, settings: Any) -> None:
    settings.AXES_ENABLED = True
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.post("/accounts/login/", {"username": personas.agent.email, "password": PASSWORD})
        send(client)
        code = mailbox_code_in(last_mail())
        for _ in range(5):
            client.post(MAILBOX, {"code": wrong(code)})
        assert client.post(MAILBOX, {"code": code}).status_code == 429
        assert MAILBOX_PROOF_KEY not in client.session


def test_the_proof_lasts_thirty_minutes(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(agent)
        prove_mailbox(client)
        proof = client.session[MAILBOX_PROOF_KEY]["code"]
        assert services.enrolment_mailbox_proved(user=agent, proof=proof) is True
        traveller.shift(20 * 60)
        assert client.get(MAILBOX)["Location"] == ENROL  # still proved (and the session lives)
        traveller.shift(10 * 60)
        assert services.enrolment_mailbox_proved(user=agent, proof=proof) is True
        traveller.shift(1)
        assert services.enrolment_mailbox_proved(user=agent, proof=proof) is False
        client.post("/accounts/confirmer/", {"password": PASSWORD})
        enrol_shows_no_secret(client)


# --- Who sees it ---------------------------------------------------------------------------------


def test_clients_never_see_it(personas: Personas) -> None:
    owner = personas.owner
    with time_machine.travel(NOW, tick=False):
        client = logged_in(owner)
        assert client.get(MAILBOX).status_code == 404
        assert send(client).status_code == 404
        assert client.post(MAILBOX, {"code": "12345678"}).status_code == 404
        assert mail.outbox == []
        assert not EnrolmentCode.objects.exists()
        with pytest.raises(PermissionDenied):
            services.enrolment_code_send(user=owner)
        # Their enrolment is as before: the secret at once, no e-mail.
        page = client.get(ENROL)
        assert page.status_code == 200
        secret = client.session[CANDIDATE]
        assert totp.grouped(secret) in page.content.decode()
        assert client.post(ENROL, {"code": code_for(secret)})["Location"] == "/accounts/securite/"
        assert TotpDevice.objects.filter(user=owner).exists()
        assert mail.outbox == []


@pytest.mark.parametrize("persona", ["agent", "other_agent", "supervisor", "administrator"])
def test_every_kind_of_staff_must_prove_the_mailbox(
    personas: Personas, administrator: User, persona: str
) -> None:
    user = {**personas.all(), "administrator": administrator}[persona]
    with time_machine.travel(NOW, tick=False):
        client = logged_in(user)
        assert client.get("/accounts/accueil/")["Location"].startswith(ENROL)
        enrol_shows_no_secret(client)
        assert client.get(MAILBOX).status_code == 200
        prove_mailbox(client)
        assert last_mail().to == [user.email]
        assert client.get(ENROL).status_code == 200
        assert CANDIDATE in client.session


def test_staff_replacing_their_application_need_no_code(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        client = logged_in(agent)
        prove_mailbox(client)
        client.get(ENROL)
        old = client.session[CANDIDATE]
        client.post(ENROL, {"code": code_for(old)})
        mail.outbox.clear()
        traveller.shift(30)
        # A verified session with a recent confirmation replaces the application at once.
        assert client.get(MAILBOX)["Location"] == ENROL
        page = client.get(ENROL).content.decode()
        assert "Remplacer votre application" in page
        new = client.session[CANDIDATE]
        assert client.post(ENROL, {"code": code_for(new)})["Location"] == "/accounts/securite/"
        assert TotpDevice.objects.get(user=agent).secret == new
        assert mail.outbox == []
        with pytest.raises(PermissionDenied):
            services.enrolment_code_send(user=agent)


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(MAILBOX)
    assert response["Location"] == f"/accounts/login/?next={MAILBOX}"


def test_without_a_recent_password_the_code_page_asks_for_it(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.agent)
    response = client.get(MAILBOX)
    assert response["Location"].startswith("/accounts/confirmer/?next=")
    assert send(client)["Location"].startswith("/accounts/confirmer/?next=")
    assert mail.outbox == []


def test_a_new_code_ends_the_proof_of_the_previous_one(personas: Personas) -> None:
    agent = personas.agent
    with time_machine.travel(NOW, tick=False) as traveller:
        first = logged_in(agent)
        prove_mailbox(first)
        old_proof = first.session[MAILBOX_PROOF_KEY]["code"]
        traveller.shift(60)
        second = logged_in(agent)
        prove_mailbox(second)  # another code, typed in another session
        assert services.enrolment_mailbox_proved(user=agent, proof=old_proof) is False
        enrol_shows_no_secret(first)
        assert second.get(ENROL).status_code == 200
