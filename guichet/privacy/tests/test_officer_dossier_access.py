"""The privacy officer reaches a dossier through a getter of their own
(`dossier_get_for_privacy_officer`): any unit's dossier for them, 404 for everyone else, each
read logged; the rectification of a request and a legal hold on a dossier use it."""

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from guichet.accounts.models import User
from guichet.audit.models import AccessLog
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_get_for_privacy_officer
from guichet.privacy import services
from guichet.privacy.models import InfoRequestKind, LegalHold
from guichet.privacy.tests.conftest import client_for
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db

OFFICER = "responsable de la protection des renseignements personnels"


def last_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def reads_since(first_id: int) -> list[tuple[Any, ...]]:
    return [
        (e.action, e.subject_kind, e.subject_id, e.subject_number, e.person_id, e.actor_id, e.why)
        for e in AccessLog.objects.filter(id__gt=first_id).order_by("id")
    ]


def test_the_officer_gets_any_units_dossier_and_the_read_is_logged(
    personas: Personas, officer: User
) -> None:
    caq = make_dossier(personas)
    csq = make_dossier(personas, service_code="csq-travailleur-permanent")
    start = last_id()
    for dossier in (caq, csq):
        found = dossier_get_for_privacy_officer(officer, dossier.number, why="vérification")
        assert found.pk == dossier.pk
    assert reads_since(start) == [
        ("read", "dossier", d.pk, d.number, personas.owner.pk, officer.pk, "vérification")
        for d in (caq, csq)
    ]


@pytest.mark.parametrize(
    "persona", ["anonymous", "owner", "other_client", "agent", "other_agent", "supervisor"]
)
def test_anyone_else_gets_a_404_and_nothing_is_logged(personas: Personas, persona: str) -> None:
    dossier = make_dossier(personas)
    user: Any = AnonymousUser() if persona == "anonymous" else personas.all()[persona]
    start = last_id()
    with pytest.raises(Http404):
        dossier_get_for_privacy_officer(user, dossier.number, why="vérification")
    assert reads_since(start) == []


@pytest.mark.parametrize("number", ["2026-999999", "2026%00", "2026-" + "9" * 300, ""])
def test_an_unknown_or_hostile_number_is_a_404_and_nothing_is_logged(
    personas: Personas, officer: User, number: str
) -> None:
    make_dossier(personas)
    start = last_id()
    with pytest.raises(Http404):
        dossier_get_for_privacy_officer(officer, number, why="vérification")
    assert reads_since(start) == []


def test_a_legal_hold_on_a_dossier_reads_it_through_the_officers_getter(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    client = client_for(officer)
    start = last_id()
    response = client.post(
        "/confidentialite/conservation/", {"dossier": dossier.number, "reason": "Recours."}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.dossier_id == dossier.pk
    owner = personas.owner.pk
    assert reads_since(start) == [
        (
            "read",
            "dossier",
            dossier.pk,
            dossier.number,
            owner,
            officer.pk,
            f"conservation légale par le {OFFICER}",
        ),
        (
            "change",
            "legal_hold",
            hold.pk,
            dossier.number,
            owner,
            officer.pk,
            "conservation légale placée",
        ),
    ]


def test_a_legal_hold_on_an_unknown_number_is_refused_and_logs_nothing(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    client = client_for(officer)
    start = last_id()
    response = client.post(
        "/confidentialite/conservation/", {"dossier": "2026-999999", "reason": "Recours."}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["dossier"] == ["Aucun dossier ne porte ce numéro."]
    assert not LegalHold.objects.exists()
    assert reads_since(start) == []


def test_a_rectification_reads_the_dossier_through_the_officers_getter(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        request = services.info_request_submit(
            person=personas.owner,
            kind=InfoRequestKind.RECTIFICATION,
            details="Mon nom est mal écrit.",
            correction="Dominique Exemple-Tremblay",
            dossier_number=dossier.number,
        )
    client = client_for(officer)
    start = last_id()
    response = client.post(
        f"/confidentialite/demandes/{request.pk}/rectifier/",
        {
            "dossier": dossier.number,
            "field_name": "applicant_name",
            "value": "Dominique Exemple-Tremblay",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Dominique Exemple-Tremblay"
    reads = [r for r in reads_since(start) if r[0] == "read" and r[1] == "dossier"]
    assert reads == [
        (
            "read",
            "dossier",
            dossier.pk,
            dossier.number,
            personas.owner.pk,
            officer.pk,
            f"rectification demandée ({request.reference}) par le {OFFICER}",
        )
    ]
