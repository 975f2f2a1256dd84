"""Sensitive identifiers encrypted at rest, key rotation, and linking a paper dossier to an
account with proof of identity."""

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from guichet.dossiers import services
from guichet.dossiers.models import Channel, Dossier, EventKind, LinkCode
from guichet.testing import PASSWORD, Personas, birth_date_fields, make_dossier, run_command

pytestmark = pytest.mark.django_db


def raw_row(dossier: Dossier) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT birth_date, passport_number FROM dossiers_dossier WHERE id = %s",
            [dossier.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1]


def test_identifiers_are_encrypted_at_rest(personas: Personas) -> None:
    dossier = make_dossier(personas)
    birth, passport = raw_row(dossier)
    assert "1990" not in birth and "XK123456" not in passport
    assert birth.startswith("gAAAA") and passport.startswith("gAAAA")  # Fernet tokens
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.birth_date, fresh.passport_number) == (date(1990, 5, 17), "XK123456")


def test_key_rotation(
    personas: Personas, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    old = Fernet.generate_key().decode()
    settings.GUICHET_FIELD_KEYS = [old]
    dossier = make_dossier(personas)
    before = raw_row(dossier)
    new = Fernet.generate_key().decode()
    settings.GUICHET_FIELD_KEYS = [new, old]
    run = run_command(capsys, "rotate-field-keys")
    assert run.code == 0
    assert "dossiers.Dossier.birth_date : 1 valeur(s)" in run.out
    after = raw_row(dossier)
    assert after != before
    settings.GUICHET_FIELD_KEYS = [new]  # the old key is gone: still readable
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.birth_date, fresh.passport_number) == (date(1990, 5, 17), "XK123456")


@pytest.fixture
def paper_dossier(personas: Personas) -> Dossier:
    d: Dossier = make_dossier(
        personas,
        client=None,
        actor=personas.agent,
        channel=Channel.MAIL,
        received_on=timezone.localdate() - timedelta(days=3),
    )
    return d


def code_from_mail() -> str:
    body = mail.outbox[-1].body
    return body.split("Voici votre code : ")[1][:6]


def test_right_proofs_link_the_dossier(
    personas: Personas, paper_dossier: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(
            user=personas.other_client, number=paper_dossier.number, birth_date=date(1990, 5, 17)
        )
    assert mail.outbox[-1].to == ["proprietaire@example.org"]  # the address on file
    assert paper_dossier.number not in mail.outbox[-1].body
    result = services.dossier_link_confirm(
        user=personas.other_client, number=paper_dossier.number, code=code_from_mail()
    )
    assert result is services.LinkOutcome.LINKED
    paper_dossier.refresh_from_db()
    assert paper_dossier.client == personas.other_client
    assert paper_dossier.events.filter(kind=EventKind.ACCOUNT_LINKED).count() == 1


def test_wrong_proofs_send_nothing(
    personas: Personas, paper_dossier: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(
            user=personas.other_client, number=paper_dossier.number, birth_date=date(1990, 5, 18)
        )
        services.dossier_link_start(
            user=personas.other_client, number="2026-999999", birth_date=date(1990, 5, 17)
        )
    assert mail.outbox == []


def test_already_linked_dossier_sends_nothing(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    online = make_dossier(personas)  # owned by the owner already
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(
            user=personas.other_client, number=online.number, birth_date=date(1990, 5, 17)
        )
    assert mail.outbox == []


def test_wrong_codes_then_lockout_then_expiry(
    personas: Personas, paper_dossier: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    user, number = personas.other_client, paper_dossier.number
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(user=user, number=number, birth_date=date(1990, 5, 17))
    good = code_from_mail()
    bad = "000000" if good != "000000" else "111111"
    for _ in range(5):
        assert (
            services.dossier_link_confirm(user=user, number=number, code=bad)
            is services.LinkOutcome.WRONG_CODE
        )
    assert (
        services.dossier_link_confirm(user=user, number=number, code=good)
        is services.LinkOutcome.EXPIRED
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(user=user, number=number, birth_date=date(1990, 5, 17))
    fresh_code = code_from_mail()
    with time_machine.travel(timedelta(minutes=16)):
        assert (
            services.dossier_link_confirm(user=user, number=number, code=fresh_code)
            is services.LinkOutcome.EXPIRED
        )
    paper_dossier.refresh_from_db()
    assert paper_dossier.client is None


def test_a_code_works_once_and_only_for_its_user(
    personas: Personas, paper_dossier: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    number = paper_dossier.number
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(
            user=personas.other_client, number=number, birth_date=date(1990, 5, 17)
        )
    code = code_from_mail()
    assert (
        services.dossier_link_confirm(user=personas.owner, number=number, code=code)
        is services.LinkOutcome.EXPIRED
    )  # not this person's code
    assert (
        services.dossier_link_confirm(user=personas.other_client, number=number, code=code)
        is services.LinkOutcome.LINKED
    )
    assert (
        services.dossier_link_confirm(user=personas.other_client, number=number, code=code)
        is services.LinkOutcome.EXPIRED
    )


def test_link_pages(personas: Personas, paper_dossier: Dossier) -> None:
    client = Client()
    client.login(username=personas.other_client.email, password=PASSWORD)
    assert client.get("/dossiers/lier/").status_code == 200
    response = client.post(
        "/dossiers/lier/", {"number": paper_dossier.number, **birth_date_fields(date(1990, 5, 17))}
    )
    assert response.status_code == 200
    assert "un code vient d&#x27;être envoyé" in response.content.decode()
    wrong = client.post("/dossiers/lier/code/", {"number": paper_dossier.number, "code": "12345x"})
    assert wrong.status_code == 400


def test_a_copy_of_the_codes_table_does_not_give_the_code_back(
    personas: Personas,
    paper_dossier: Dossier,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    """The code is kept as an HMAC keyed with SECRET_KEY: trying the million six-digit codes
    against the stored value needs the key, and a code checked under another key fails."""
    number = paper_dossier.number
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_link_start(
            user=personas.other_client, number=number, birth_date=date(1990, 5, 17)
        )
    code = code_from_mail()
    link = LinkCode.objects.get(dossier=paper_dossier)
    unkeyed = {
        hashlib.sha256(f"{salt}:{code}".encode()).hexdigest() for salt in (link.pk, "", number)
    }
    assert code not in link.code_hash and link.code_hash not in unkeyed
    settings.SECRET_KEY = "une-autre-cle-" + "x" * 40
    assert (
        services.dossier_link_confirm(user=personas.other_client, number=number, code=code)
        is services.LinkOutcome.WRONG_CODE
    )
