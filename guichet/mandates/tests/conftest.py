"""Fixtures of the mandates tests: a recognized consultant with a Guichet account, and the
owner's dossier with a letter and a document."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guichet.accounts.models import User
from guichet.dossiers import services
from guichet.dossiers.models import Dossier
from guichet.mandates.models import Consultant
from guichet.mandates.services import consultant_register
from guichet.testing import PASSWORD, Personas, checked, make_dossier, pdf_upload

NUMBER = "RC-2024-0042"
CONSULTANT_EMAIL = "morgan@cabinet-exemple.example.org"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def consultant(personas: Personas) -> Consultant:
    """Recognized from 2020 to 2030, with a Guichet account."""
    user = User.objects.create_user("morgan@example.org", PASSWORD, full_name="Morgan Conseil")
    return consultant_register(
        recognition_number=NUMBER,
        full_name="Morgan Conseil-Exemple",
        email=CONSULTANT_EMAIL,
        recognized_from=date(2020, 1, 1),
        recognized_until=date(2030, 12, 31),
        user=user,
    )


@pytest.fixture
def dossier(personas: Personas) -> Dossier:
    """The owner's dossier, acknowledged (a letter) with one document."""
    d: Dossier = make_dossier(personas, documents=[checked(pdf_upload("passeport.pdf"))])
    services.dossier_acknowledge(dossier=d, actor=personas.agent)
    d.refresh_from_db()
    return d
