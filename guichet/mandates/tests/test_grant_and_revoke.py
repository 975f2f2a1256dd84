"""Mandate grant and revocation: through the portal, as the issue asks, with the dossier's
history, the access log and the consultant's e-mail; every refusal changes nothing."""

from datetime import date
from typing import Any

import pytest
from django.core import mail

from guichet.audit.models import AccessAction, AccessLog
from guichet.dossiers.models import Dossier, DossierEvent, EventKind
from guichet.mandates.models import Consultant, Mandate
from guichet.mandates.services import MandateError, consultant_suspend, mandate_grant
from guichet.mandates.tests.conftest import CONSULTANT_EMAIL, NUMBER, signed_in
from guichet.testing import Personas, run_tasks

pytestmark = pytest.mark.django_db


def state(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (
        dossier.version,
        dossier.events.count(),
        Mandate.objects.count(),
        Mandate.objects.filter(revoked_at__isnull=True).count(),
        AccessLog.objects.filter(action=AccessAction.CHANGE).count(),
    )


def grant_data(number: str = NUMBER, email: str = CONSULTANT_EMAIL) -> dict[str, str]:
    return {"recognition_number": number, "email": email, "confirm": "on"}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_the_owner_grants_then_revokes_a_mandate(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    run_tasks()  # the acknowledgment's own e-mail, out of the way
    mail.outbox.clear()
    owner = signed_in(personas.owner)
    page = owner.get(f"/dossiers/{dossier.number}/mandats/nouveau/")
    assert page.status_code == 200
    assert "Numéro de reconnaissance du consultant" in page.content.decode()
    version = dossier.version

    # The number and address are matched whatever their case and spaces.
    response = owner.post(
        f"/dossiers/{dossier.number}/mandats/nouveau/",
        grant_data(f"  {NUMBER.lower()} ", CONSULTANT_EMAIL.upper()),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.number}/"
    mandate = Mandate.objects.get()
    assert (mandate.dossier, mandate.consultant, mandate.granted_by) == (
        dossier,
        consultant,
        personas.owner,
    )
    assert mandate.revoked_at is None
    event = dossier.events.order_by("-seq").first()
    assert event is not None
    assert (event.kind, event.actor, event.details) == (
        EventKind.MANDATE_GRANTED,
        personas.owner,
        {"mandate": mandate.pk, "consultant": "Morgan Conseil-Exemple (n° RC-2024-0042)"},
    )
    dossier.refresh_from_db()
    assert dossier.version == version + 1
    log = AccessLog.objects.filter(action=AccessAction.CHANGE).first()
    assert log is not None
    assert (log.actor, log.subject_number, log.why) == (
        personas.owner,
        dossier.number,
        "inscription au dossier : Mandat donné à un consultant en immigration",
    )
    html = owner.get(f"/dossiers/{dossier.number}/").content.decode()
    assert "Morgan Conseil-Exemple (n° RC-2024-0042)" in html
    assert "en vigueur" in html

    # The consultant is told by the background worker, with nothing personal in the e-mail.
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["morgan@example.org"]
    assert sent.subject == "Un mandat vous a été confié dans Guichet"
    assert "/mandats/" in sent.body
    for secret in (dossier.number, "Dominique", "Exemple", dossier.service.name_fr):
        assert secret not in sent.body and secret not in sent.subject
    mandate.refresh_from_db()
    assert mandate.grant_notified_at is not None
    run_tasks()
    assert len(mail.outbox) == 1  # nothing sent twice

    response = owner.post(f"/dossiers/{dossier.number}/mandats/{mandate.pk}/revoquer/")
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    assert mandate.revoked_by == personas.owner
    event = dossier.events.order_by("-seq").first()
    assert event is not None
    assert (event.kind, event.actor, event.details["mandate"]) == (
        EventKind.MANDATE_REVOKED,
        personas.owner,
        mandate.pk,
    )
    assert AccessLog.objects.filter(why="inscription au dossier : Mandat révoqué").count() == 1
    run_tasks()
    assert [m.subject for m in mail.outbox] == [
        "Un mandat vous a été confié dans Guichet",
        "Un mandat a été révoqué dans Guichet",
    ]
    assert dossier.number not in mail.outbox[1].body
    html = owner.get(f"/dossiers/{dossier.number}/").content.decode()
    assert "révoqué le" in html

    # Revoking it again is refused with a message; nothing changes.
    before = state(dossier)
    response = owner.post(f"/dossiers/{dossier.number}/mandats/{mandate.pk}/revoquer/", follow=True)
    assert "Ce mandat est déjà révoqué." in response.content.decode()
    assert state(dossier) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (grant_data("RC-9999-9999"), "Aucun consultant en immigration reconnu aujourd"),
        (grant_data(email="autre@cabinet-exemple.example.org"), "Aucun consultant en immigra"),
        (grant_data(email="pas-une-adresse"), "Entrez une adresse courriel valide."),
        ({**grant_data(), "confirm": ""}, "Cochez cette case pour donner le mandat."),
        (grant_data(NUMBER + "X" * 30), "au plus 20 caractères"),
    ],
    ids=["unknown number", "wrong e-mail", "malformed e-mail", "not confirmed", "too long"],
)
def test_bad_input_is_refused_and_changes_nothing(
    personas: Personas, dossier: Dossier, consultant: Consultant, data: dict[str, str], message: str
) -> None:
    before = state(dossier)
    response = signed_in(personas.owner).post(f"/dossiers/{dossier.number}/mandats/nouveau/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(dossier) == before


@pytest.mark.parametrize(
    "change",
    ["expired", "not yet", "suspended", "recognition revoked", "no account", "is the client"],
)
def test_only_a_consultant_recognized_today_with_an_account_receives_a_mandate(
    personas: Personas, dossier: Dossier, consultant: Consultant, change: str
) -> None:
    today = date.today()  # noqa: DTZ011 (compared with the local date of the service)
    message = "Aucun consultant en immigration reconnu aujourd"
    if change == "expired":
        Consultant.objects.filter(pk=consultant.pk).update(recognized_until=date(2021, 1, 1))
    elif change == "not yet":
        Consultant.objects.filter(pk=consultant.pk).update(recognized_from=date(2099, 1, 1))
    elif change == "suspended":
        consultant_suspend(consultant=consultant, start=date(2021, 1, 1), actor=None)
    elif change == "recognition revoked":
        Consultant.objects.filter(pk=consultant.pk).update(revoked_on=date(2021, 1, 1))
    elif change == "no account":
        Consultant.objects.filter(pk=consultant.pk).update(user=None)
        message = "n&#x27;a pas encore de compte Guichet"
    else:
        Consultant.objects.filter(pk=consultant.pk).update(user=personas.owner)
        message = "Vous ne pouvez pas vous donner un mandat à vous-même."
    assert today.year < 2099
    before = state(dossier)
    response = signed_in(personas.owner).post(
        f"/dossiers/{dossier.number}/mandats/nouveau/", grant_data()
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state(dossier) == before


def test_one_mandate_at_a_time(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    before = state(dossier)
    response = signed_in(personas.owner).post(
        f"/dossiers/{dossier.number}/mandats/nouveau/", grant_data()
    )
    assert response.status_code == 400
    assert "Un mandat est déjà en cours sur ce dossier" in response.content.decode()
    assert state(dossier) == before


def test_only_the_owner_grants_or_revokes_even_through_the_services(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    from guichet.mandates.services import mandate_revoke

    before = state(dossier)
    with pytest.raises(MandateError, match="Seul le client ou la cliente du dossier"):
        mandate_grant(
            dossier=dossier,
            recognition_number=NUMBER,
            email=CONSULTANT_EMAIL,
            actor=personas.other_client,
        )
    assert state(dossier) == before
    mandate = mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    assert consultant.user is not None
    before = state(dossier)
    for someone in (consultant.user, personas.agent, personas.other_client):
        with pytest.raises(MandateError, match="Seul le client ou la cliente du dossier"):
            mandate_revoke(mandate=mandate, actor=someone)
    assert state(dossier) == before


def test_a_closed_or_withdrawn_dossier_takes_no_mandate(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    from guichet.dossiers import services

    services.dossier_withdraw(dossier=dossier, actor=personas.owner)
    before = state(dossier)
    response = signed_in(personas.owner).post(
        f"/dossiers/{dossier.number}/mandats/nouveau/", grant_data()
    )
    assert response.status_code == 400
    assert "Ce dossier est fermé" in response.content.decode()
    assert state(dossier) == before
    assert not DossierEvent.objects.filter(kind=EventKind.MANDATE_GRANTED).exists()
