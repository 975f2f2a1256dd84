"""The main navigation: each person gets the links of their roles, found in one query."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from guichet.accounts.models import GlobalRole, RoleGrant, User
from guichet.mandates.services import consultant_register
from guichet.navigation import Navigation, navigation_for
from guichet.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LINKS = {
    "worklist": "/bureau/",
    "results": "/resultats/",
    "privacy": "/confidentialite/",
    "administration": "/administration/",
    "mandates": "/mandats/",
    "complaints": "/commissaire/",
    "recommendations": "/bureau/recommandations/",
}


@pytest.fixture
def people(personas: Personas, administrator: Any, commissaire: Any) -> dict[str, Any]:
    officer = User.objects.create_user("rprp@example.org", PASSWORD, full_name="Rita Responsable")
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    consultant = User.objects.create_user("cons@example.org", PASSWORD, full_name="Cam Conseil")
    consultant_register(
        recognition_number="RC-2025-0001",
        full_name="Cam Conseil",
        email="cabinet@example.org",
        recognized_from=date(2020, 1, 1),
        recognized_until=None,
        user=consultant,
    )
    return {
        "owner": personas.owner,
        "agent": personas.agent,
        "supervisor": personas.supervisor,
        "officer": officer,
        "administrator": administrator,
        "consultant": consultant,
        "commissaire": commissaire,
    }


EXPECTED = {
    "owner": Navigation(),
    "agent": Navigation(worklist=True),
    "supervisor": Navigation(worklist=True, results=True, recommendations=True),
    "officer": Navigation(privacy=True),
    "administrator": Navigation(administration=True),
    "consultant": Navigation(mandates=True),
    "commissaire": Navigation(complaints=True),
}


def test_the_recommendations_link_leads_to_the_supervisors_page(people: dict[str, Any]) -> None:
    """Shown to supervisors only, and only they may open it."""
    for who, status in (("supervisor", 200), ("agent", 404), ("owner", 404), ("commissaire", 404)):
        client = Client()
        client.force_login(people[who])
        assert client.get(LINKS["recommendations"]).status_code == status, who


@pytest.mark.parametrize("who", EXPECTED)
def test_each_person_gets_the_links_of_their_roles(
    people: dict[str, Any], who: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert navigation_for(people[who]) == EXPECTED[who]
    client = Client()
    client.force_login(people[who])
    page = client.get("/").content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    for flag, href in LINKS.items():
        assert (f'href="{href}"' in nav) is getattr(EXPECTED[who], flag), (who, flag)


def test_visitors_get_no_staff_link(people: dict[str, Any]) -> None:
    page = Client().get("/").content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert not any(f'href="{href}"' in nav for href in LINKS.values())
