"""The results in a real browser, with axe-core on every page: a supervisor signs in (password
and authenticator code), opens the dashboard from the navigation, follows a figure to the
dossiers behind it, then opens the annual report. No WCAG 2.2 AA violation anywhere.
"""

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from guichet.accounts import totp
from guichet.accounts.models import TotpDevice
from guichet.dossiers.models import EventKind
from guichet.reports.dashboard import clear_cache
from guichet.reports.tests.builders import insert_dossier
from guichet.testing import PASSWORD, Personas
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = date.fromisoformat
SECRET = "JBSWY3DPEHPK3PXPGUICHETRESULTAT"  # noqa: S105 (a test account's authenticator)


def check_a11y(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def log_in_with_code(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(locale="fr-CA", bypass_csp=True).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres").fill(totp.code_at(SECRET, time.time()))
    page.get_by_role("button", name="Valider").click()
    return page


def test_dashboard_drill_down_and_annual_report(
    browser: Browser, live_server: Any, personas: Personas, tmp_path: Path
) -> None:
    base = str(live_server)
    clear_cache()
    decided = EventKind.DECIDED
    for month in range(1, 13):
        received = D(f"2026-{month:02d}-05")
        insert_dossier("caq-etudiant", received, [(decided, D(f"2026-{month:02d}-20"))])
        if month % 3 == 0 and month < 12:  # every third month, one decision far too late
            too_late = D(f"2026-{month + 1:02d}-15")
            insert_dossier("caq-etudiant", D(f"2026-{month:02d}-01"), [(decided, too_late)])
    late = insert_dossier("caq-etudiant", D("2026-10-01"), [(decided, D("2026-11-16"))])
    insert_dossier("caq-etudiant", D("2026-11-02"))  # open, on track
    insert_dossier("caq-etudiant", D("2026-09-01"))  # open, long overdue
    insert_dossier(
        "francais-temps-complet",
        D("2026-10-01"),
        [(EventKind.ADMISSIBILITY_NOTICE_SENT, D("2026-10-20"))],
    )

    with time_machine.travel("2026-11-27 10:00 -05:00", tick=True):
        TotpDevice.objects.create(
            user=personas.supervisor, secret=SECRET, confirmed_at=timezone.now()
        )
        page = log_in_with_code(browser, base, personas.supervisor.email)
        page.get_by_role("link", name="Résultats").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Résultats")
        expect(page.get_by_role("img", name="Dossiers ouverts selon leur âge")).to_be_visible()
        check_a11y(page, "tableau de bord")
        page.screenshot(path=str(tmp_path / "resultats.png"), full_page=True)

        # The figure "not met" of the CAQ commitment leads to the dossiers behind it.
        figures = page.get_by_role("table", name="Respect des engagements sur la période")
        row = figures.get_by_role("row").filter(has_text="certificat d'acceptation du Québec")
        row.get_by_role("cell").nth(4).get_by_role("link").click()  # "Non respectés"
        expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers derrière un chiffre")
        expect(page.locator("main")).to_contain_text("Délais non respectés")
        expect(page.get_by_role("link", name=late.number)).to_be_visible()
        check_a11y(page, "dossiers derrière un chiffre")
        page.screenshot(path=str(tmp_path / "dossiers.png"), full_page=True)

        page.get_by_role("link", name="Retour aux résultats").click()
        page.get_by_label("Mode de réception").select_option("mail")
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Résultats")
        check_a11y(page, "tableau de bord filtré")

        page.get_by_role("link", name="Rapport annuel de gestion").click()
        page.get_by_label("Exercice financier").select_option("2026-2027")
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Rapport annuel de gestion 2026-2027"
        )
        check_a11y(page, "rapport annuel")
        page.context.close()
