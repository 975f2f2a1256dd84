"""Fixtures of the complaints tests: every persona of the access matrix (the personas of the
dossiers, the privacy officer, an administrator, the Commissaire) and a complaint about the
owner's dossier."""

from typing import Any

import pytest

from guichet.accounts.models import GlobalRole, RoleGrant, User
from guichet.complaints.models import Complaint, Kind, Subject
from guichet.complaints.services import complaint_file
from guichet.testing import PASSWORD, Personas, make_dossier


@pytest.fixture
def officer(personas: Personas) -> User:
    person = User.objects.create_user("rprp@example.org", PASSWORD, full_name="Pat Protection")
    RoleGrant.objects.create(user=person, role=GlobalRole.PRIVACY_OFFICER)
    return person


@pytest.fixture
def everyone(
    personas: Personas, officer: User, administrator: User, commissaire: User
) -> dict[str, Any]:
    return {
        **personas.all(),
        "privacy_officer": officer,
        "administrator": administrator,
        "commissaire": commissaire,
    }


@pytest.fixture
def complaint(personas: Personas) -> Complaint:
    dossier = make_dossier(personas)
    return complaint_file(
        actor=personas.owner,
        kind=Kind.COMPLAINT,
        subject=Subject.COURTESY,
        text="Agent impoli au comptoir numéro 7.",
        dossier=dossier,
    )
