"""Fixtures of the privacy tests: the privacy officer, signed-in clients, a dossier with a
letter and a document."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory

from guichet.accounts.mfa import VERIFIED_KEY
from guichet.accounts.models import GlobalRole, RoleGrant, User
from guichet.accounts.reauth import record_recent_auth
from guichet.dossiers import services
from guichet.dossiers.models import Dossier
from guichet.testing import PASSWORD, Personas, checked, make_dossier, pdf_upload

NOW = "2026-12-18 10:00 -05:00"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(personas: Personas) -> User:
    user = User.objects.create_user(
        "prp@example.org", PASSWORD, full_name="Camille Responsable-Exemple"
    )
    RoleGrant.objects.create(user=user, role=GlobalRole.PRIVACY_OFFICER)
    return user


def client_for(user: User, *, reauthenticated: bool = False) -> Client:
    """A browser signed in as `user`, past the second factor (as after the log-in page), and
    optionally having confirmed their password a moment ago."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    request = RequestFactory().get("/")
    request.session = client.session
    request.session[VERIFIED_KEY] = True
    if reauthenticated:
        record_recent_auth(request, second_factor=True)
    request.session.save()
    return client


def search_log(client: Client, **criteria: str) -> Any:
    """Search the access log as the privacy officer does: the form is sent with POST and
    answered with a redirect to the results, whose address holds only a reference to the
    search. Returns the results page (its `redirect_chain` holds that address)."""
    response = client.post("/confidentialite/journal/", criteria, follow=True)
    assert response.redirect_chain, response.content.decode()[-2000:]
    return response


@pytest.fixture
def dossier(personas: Personas) -> Dossier:
    """The owner's dossier, with one document and the acknowledgment letter."""
    d: Dossier = make_dossier(personas, documents=[checked(pdf_upload("passeport.pdf"))])
    services.dossier_acknowledge(dossier=d, actor=personas.agent)
    d.refresh_from_db()
    return d
