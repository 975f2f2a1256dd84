"""Links in e-mails are built on the configured public address (GUICHET_PUBLIC_URL); when it
is unset, a system check warns and the links follow the request's own address."""

from typing import Any

import pytest
from django.core import mail
from django.core.checks import Warning
from django.test import Client

from guichet.public_url import check_public_url, public_url

pytestmark = pytest.mark.django_db


def sign_up(client: Client) -> None:
    response = client.post(
        "/accounts/inscription/",
        {
            "full_name": "Camille Nouvelle",
            "email": "nouvelle@example.org",
            "password1": "un mot de passe assez long 42",
            "password2": "un mot de passe assez long 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]


def test_the_activation_link_uses_the_configured_public_address(settings: Any) -> None:
    settings.GUICHET_PUBLIC_URL = "https://guichet.example.gouv.qc.ca/"
    sign_up(Client(HTTP_HOST="127.0.0.1:41234"))
    (message,) = mail.outbox
    assert "https://guichet.example.gouv.qc.ca/accounts/activer/" in message.body
    assert "127.0.0.1" not in message.body
    assert check_public_url() == []


def test_unset_it_warns_and_the_link_follows_the_request(settings: Any) -> None:
    settings.GUICHET_PUBLIC_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    sign_up(Client(HTTP_HOST="127.0.0.1:41234"))
    (message,) = mail.outbox
    # The server's real port, not a fixed :8000.
    assert "http://127.0.0.1:41234/accounts/activer/" in message.body
    (warning,) = check_public_url()
    assert isinstance(warning, Warning)
    assert warning.id == "guichet.W001"


def test_outside_a_request_the_configured_address(settings: Any) -> None:
    settings.GUICHET_PUBLIC_URL = "https://guichet.example.gouv.qc.ca"
    assert public_url("/dossiers/") == "https://guichet.example.gouv.qc.ca/dossiers/"
