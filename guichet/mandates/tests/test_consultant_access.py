"""The consultant in the persona matrix: every portal URL of a dossier, with a mandate in
force, without one, after revocation, after the recognition expired or was suspended.
A consultant with a mandate acts through the owner's pages and service functions; in every
other situation each URL answers 404 and nothing changes."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine

from guichet.audit.models import AccessAction, AccessLog
from guichet.dossiers.models import Dossier, DossierEvent, EventKind
from guichet.mandates.models import Consultant, Mandate
from guichet.mandates.services import (
    consultant_revoke_recognition,
    consultant_suspend,
    mandate_grant,
    mandate_revoke,
)
from guichet.mandates.tests.conftest import CONSULTANT_EMAIL, NUMBER, signed_in
from guichet.testing import Personas, make_dossier, pdf_upload

pytestmark = pytest.mark.django_db

SITUATIONS = ("mandate", "no_mandate", "revoked", "expired", "suspended", "recognition_revoked")


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (
        dossier.version,
        dossier.state,
        dossier.postal_address,
        dossier.events.count(),
        dossier.documents.count(),
        Mandate.objects.filter(revoked_at__isnull=True).count(),
    )


def situate(situation: str, personas: Personas, dossier: Dossier, consultant: Consultant) -> None:
    def give(d: Dossier) -> Mandate:
        assert d.client is not None
        return mandate_grant(
            dossier=d, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=d.client
        )

    if situation == "no_mandate":
        # A mandate on someone else's dossier opens nothing of this one.
        other = make_dossier(
            personas, client=personas.other_client, actor=personas.other_client, documents=[]
        )
        give(other)
        return
    mandate = give(dossier)
    if situation == "revoked":
        mandate_revoke(mandate=mandate, actor=personas.owner)
    elif situation == "expired":
        Consultant.objects.filter(pk=consultant.pk).update(recognized_until=date(2025, 1, 1))
    elif situation == "suspended":
        consultant_suspend(consultant=consultant, start=date(2025, 1, 1), actor=None)
    elif situation == "recognition_revoked":
        consultant_revoke_recognition(consultant=consultant, on=date(2025, 1, 1), actor=None)


GETS = [
    ("dossier page", "/dossiers/{n}/"),
    ("letter", "/dossiers/{n}/lettres/{letter}/"),
    ("document", "/dossiers/{n}/documents/{document}/"),
    ("change form", "/dossiers/{n}/changement/"),
]

# (name, path, data, status with a mandate in force, whether it changes the dossier)
POSTS: list[tuple[str, str, Callable[[Dossier], dict[str, Any]], int, bool]] = [
    (
        "send documents",
        "/dossiers/{n}/documents/",
        lambda d: {
            "documents-version": d.version,
            "documents-item": "autre",
            "documents-attachments": pdf_upload(),
        },
        302,
        True,
    ),
    (
        "report change",
        "/dossiers/{n}/changement/",
        lambda d: {"version": d.version, "kind": "address_changed", "text": "2, rue Neuve"},
        302,
        True,
    ),
    # Refused by the dossier's state (no notice of intention, no decision): a 400 with the
    # service's message, exactly as for the owner.
    (
        "observations",
        "/dossiers/{n}/observations/",
        lambda d: {"observations-version": d.version, "observations-text": "Voici."},
        400,
        False,
    ),
    (
        "review",
        "/dossiers/{n}/revision/",
        lambda d: {"review-version": d.version, "review-reasons": "Je conteste."},
        400,
        False,
    ),
    # Nobody withdraws a request by mandate.
    ("withdraw", "/dossiers/{n}/retrait/", lambda d: {"confirm-version": d.version}, 400, False),
    # Giving and revoking mandates are the owner's alone.
    (
        "grant",
        "/dossiers/{n}/mandats/nouveau/",
        lambda d: {"recognition_number": NUMBER, "email": CONSULTANT_EMAIL, "confirm": "on"},
        404,
        False,
    ),
    ("revoke", "/dossiers/{n}/mandats/{mandate}/revoquer/", lambda d: {}, 404, False),
]


def _url(path: str, dossier: Dossier) -> str:
    mandate = Mandate.objects.filter(dossier=dossier).first()
    return path.format(
        n=dossier.number,
        letter=dossier.letters.get().pk,
        document=dossier.documents.get().pk,
        mandate=mandate.pk if mandate else 0,
    )


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize(("name", "path"), GETS, ids=[g[0] for g in GETS])
def test_pages(
    personas: Personas,
    dossier: Dossier,
    consultant: Consultant,
    situation: str,
    name: str,
    path: str,
) -> None:
    situate(situation, personas, dossier, consultant)
    url = _url(path, dossier)
    before = snapshot(dossier)
    reads = AccessLog.objects.filter(action=AccessAction.READ).count()
    response = signed_in(consultant.user).get(url)
    if situation == "mandate":
        assert response.status_code == 200
        assert AccessLog.objects.filter(action=AccessAction.READ).count() == reads + 1
    else:
        assert response.status_code == 404
        assert AccessLog.objects.filter(action=AccessAction.READ).count() == reads
    assert snapshot(dossier) == before


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize(
    ("name", "path", "data", "status", "changes"), POSTS, ids=[p[0] for p in POSTS]
)
def test_actions(
    personas: Personas,
    dossier: Dossier,
    consultant: Consultant,
    situation: str,
    name: str,
    path: str,
    data: Callable[[Dossier], dict[str, Any]],
    status: int,
    changes: bool,
) -> None:
    situate(situation, personas, dossier, consultant)
    url = _url(path, dossier)
    before = snapshot(dossier)
    response = signed_in(consultant.user).post(url, data(dossier))
    if situation == "mandate":
        assert response.status_code == status
        assert (snapshot(dossier) != before) is changes
    else:
        assert response.status_code == 404
        assert snapshot(dossier) == before


def test_the_consultant_acts_through_the_owners_services_and_is_named_as_actor(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    mandate = mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    client = signed_in(consultant.user)
    dossier.refresh_from_db()
    response = client.post(
        f"/dossiers/{dossier.number}/changement/",
        {"version": dossier.version, "kind": "address_changed", "text": "2, rue Neuve"},
    )
    assert response.status_code == 302
    event = DossierEvent.objects.get(dossier=dossier, kind=EventKind.ADDRESS_CHANGED)
    assert event.actor == consultant.user
    dossier.refresh_from_db()
    assert dossier.postal_address == "2, rue Neuve"
    # Every read and change by the consultant is in the access log, with why.
    reads = list(
        AccessLog.objects.filter(actor=consultant.user, action=AccessAction.READ).values_list(
            "why", flat=True
        )
    )
    assert reads == [f"démarche du consultant mandataire (mandat n° {mandate.pk})"]
    client.get(f"/dossiers/{dossier.number}/")
    latest = AccessLog.objects.filter(actor=consultant.user).first()
    assert latest is not None
    assert latest.why == f"consultation par le consultant mandataire (mandat n° {mandate.pk})"
    assert latest.person == personas.owner

    # The withdrawal is refused with a message, and nothing changes.
    before = snapshot(dossier)
    response = client.post(
        f"/dossiers/{dossier.number}/retrait/", {"confirm-version": dossier.version}
    )
    assert response.status_code == 400
    assert "Seul le client ou la cliente peut retirer sa demande" in response.content.decode()
    assert snapshot(dossier) == before


def test_access_ends_the_day_the_recognition_ends(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    with time_machine.travel("2030-12-31 12:00 -05:00"):
        mandate_grant(
            dossier=dossier,
            recognition_number=NUMBER,
            email=CONSULTANT_EMAIL,
            actor=personas.owner,
        )
        assert signed_in(consultant.user).get(f"/dossiers/{dossier.number}/").status_code == 200
    with time_machine.travel("2031-01-01 00:30 -05:00"):
        assert signed_in(consultant.user).get(f"/dossiers/{dossier.number}/").status_code == 404
        # The owner's page says the mandate no longer works.
        page = signed_in(personas.owner).get(f"/dossiers/{dossier.number}/").content.decode()
        assert "sans effet : ce consultant n'est pas reconnu aujourd'hui" in page


def test_revocation_takes_effect_at_once(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    mandate = mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    consultant_client = signed_in(consultant.user)
    assert consultant_client.get(f"/dossiers/{dossier.number}/").status_code == 200
    signed_in(personas.owner).post(f"/dossiers/{dossier.number}/mandats/{mandate.pk}/revoquer/")
    before = snapshot(dossier)
    assert consultant_client.get(f"/dossiers/{dossier.number}/").status_code == 404
    response = consultant_client.post(
        f"/dossiers/{dossier.number}/documents/",
        {
            "documents-version": dossier.version,
            "documents-item": "autre",
            "documents-attachments": pdf_upload(),
        },
    )
    assert response.status_code == 404
    assert snapshot(dossier) == before


def test_my_mandates(personas: Personas, dossier: Dossier, consultant: Consultant) -> None:
    client = signed_in(consultant.user)
    page = client.get("/mandats/")
    assert page.status_code == 200
    assert "Aucun mandat en cours." in page.content.decode()
    mandate = mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    html = client.get("/mandats/").content.decode()
    assert f'href="/dossiers/{dossier.number}/"' in html
    assert "Mes mandats" in html  # the navigation link, for a consultant
    mandate_revoke(mandate=mandate, actor=personas.owner)
    html = client.get("/mandats/").content.decode()
    assert f'href="/dossiers/{dossier.number}/"' not in html
    assert dossier.number in html and "révoqué par le client le" in html
    # Nobody else has such a page.
    for someone in (personas.owner, personas.agent):
        assert signed_in(someone).get("/mandats/").status_code == 404
