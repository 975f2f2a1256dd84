"""The privacy officer's pages in a real browser, checked with axe-core (WCAG 2.2 AA), with
their error summaries shown: the access log (results and a refused period), the register of
incidents (a form with errors, an entry, a refused step), legal holds (a form with errors,
lifting one). That they hold no inline script or style is checked in
guichet/privacy/tests/test_screens.py."""

from datetime import date
from typing import Any

import pytest
from django.test import Client, RequestFactory
from playwright.sync_api import Browser, Page, expect

from guichet.accounts.mfa import VERIFIED_KEY
from guichet.accounts.models import GlobalRole, RoleGrant, User
from guichet.dossiers import services as dossier_services
from guichet.privacy import services
from guichet.testing import PASSWORD, Personas, make_dossier
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Browser, base: str, user: User) -> Page:
    """A browser page with the session of `user`, past the second factor (the log-in page
    and its code are the subject of test_signup.py)."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    request = RequestFactory().get("/")
    request.session = client.session
    request.session[VERIFIED_KEY] = True
    request.session.save()
    context = browser.new_context(locale="fr-CA", bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context.new_page()


def accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def test_privacy_pages_are_accessible(
    browser: Browser, live_server: Any, personas: Personas
) -> None:
    base = str(live_server)
    officer = User.objects.create_user("prp@example.org", PASSWORD, full_name="Camille PRP")
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    dossier = make_dossier(personas)
    dossier_services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    incident = services.incident_report(
        actor=officer,
        fields={
            "circumstances": "Un courriel envoyé au mauvais destinataire.",
            "occurred_from": date(2026, 11, 1),
            "aware_from": date(2026, 11, 2),
        },
    )
    services.legal_hold_place(actor=officer, dossier=dossier, reason="Recours en cours.")
    page = signed_in(browser, base, officer)

    page.goto(f"{base}/confidentialite/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Protection des renseignements personnels"
    )
    accessible(page, "accueil")

    page.goto(f"{base}/confidentialite/journal/")
    page.get_by_label("Personne concernée").fill("proprietaire@example.org")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("table")).to_contain_text(dossier.number)
    accessible(page, "journal : résultats")
    page.get_by_label("Du", exact=True).fill("2026-12-20")
    page.get_by_label("Au", exact=True).fill("2026-12-01")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("alert")).to_contain_text("La fin de la période précède son début.")
    accessible(page, "journal : erreur")

    page.goto(f"{base}/confidentialite/incidents/")
    accessible(page, "registre")
    page.goto(f"{base}/confidentialite/incidents/nouveau/")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Circonstances de l'incident")
    accessible(page, "incident : erreurs")
    page.goto(f"{base}/confidentialite/incidents/{incident.pk}/")
    accessible(page, "incident")
    page.get_by_role("button", name="Terminer l'évaluation du risque").click()
    expect(page.get_by_role("alert")).to_contain_text("L'étape n'a pas changé")
    accessible(page, "incident : étape refusée")
    page.goto(f"{base}/confidentialite/incidents/{incident.pk}/modifier/")
    accessible(page, "incident : modification")
    page.get_by_label("Non", exact=True).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Incident mis à jour.")).to_be_visible()

    page.goto(f"{base}/confidentialite/conservation/")
    page.get_by_role("button", name="Placer").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez un numéro de dossier")
    accessible(page, "conservation légale")
    page.get_by_role("button", name=f"Lever : dossier {dossier.number}").click()
    expect(page.get_by_role("status")).to_contain_text("Conservation légale levée")
    page.context.close()
