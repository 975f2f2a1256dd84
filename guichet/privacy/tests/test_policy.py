"""The privacy policy page: public, plain French, versioned."""

import pytest
from django.test import Client

from guichet.privacy import policy

pytestmark = pytest.mark.django_db


def test_current_policy_is_public_and_dated(client: Client) -> None:
    response = client.get("/confidentialite/politique/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Politique de confidentialité" in html
    assert "Version 1, en vigueur depuis le 29 novembre 2026" in html
    assert "Nous vous répondons dans les 20 jours" in html


def test_each_version_stays_readable(client: Client) -> None:
    assert client.get("/confidentialite/politique/version-1/").status_code == 200
    assert client.get("/confidentialite/politique/version-99/").status_code == 404
    assert policy.current() is policy.VERSIONS[0]


def test_every_page_links_to_it(client: Client) -> None:
    assert 'href="/confidentialite/politique/"' in client.get("/").content.decode()
