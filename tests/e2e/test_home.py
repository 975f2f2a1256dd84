"""The public home page in a real browser: the catalogue of services, accessible."""

import pytest
from playwright.sync_api import Page

from guichet.catalogue.models import Declaration
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_shows_the_catalogue_and_passes_axe(
    page: Page, live_server: object, micc: Declaration
) -> None:
    page.goto(f"{live_server}/")
    assert page.title() == "Nos services — Guichet"
    assert page.locator("html").get_attribute("lang") == "fr"
    heading = page.get_by_role("heading", name="Pour apprendre le français")
    assert heading.is_visible()
    assert page.get_by_text("Réponse à votre appel téléphonique").is_visible()
    # The skip link is the first thing a keyboard reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    assert axe_violations(page) == []


def test_privacy_policy_passes_axe(page: Page, live_server: object) -> None:
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Politique de confidentialité").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Politique de confidentialité"
    assert axe_violations(page) == []
