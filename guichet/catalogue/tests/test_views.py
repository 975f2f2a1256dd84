"""The public home page lists the declaration in force."""

import pytest
from django.test import Client

from guichet.catalogue.models import Declaration

pytestmark = pytest.mark.django_db


def test_home_lists_services_and_commitments(client: Client, micc: Declaration) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Pour apprendre le français" in html
    assert (
        '<span lang="fr">Réponse à votre appel téléphonique</span> : <strong>180 secondes</strong>'
        in html
    )


def test_home_without_declaration(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Aucune déclaration de services n'est en vigueur" in response.content.decode()


def test_home_refuses_post(client: Client) -> None:
    assert client.post("/").status_code == 405
