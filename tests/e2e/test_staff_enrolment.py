"""A staff member's first authenticator application, in a real browser: after the password,
Guichet asks for the code it e-mails to the account, then shows the key and confirms the
application; axe-core on every page of the way (WCAG 2.2 AA). The code is read from the
e-mail the live server (in-process, locmem backend) sent."""

import re
import time
from typing import Any

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import Page, expect

from guichet.accounts import totp
from guichet.accounts.models import TotpDevice
from guichet.testing import PASSWORD, Personas
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_a11y(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def test_staff_confirm_their_mailbox_then_enrol(
    page: Page, live_server: Any, personas: Personas, settings: Any
) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True
    base = str(live_server)
    agent = personas.agent
    mail.outbox.clear()
    with time_machine.travel("2026-03-02 09:00 -05:00", tick=True):
        page.goto(f"{base}/accounts/login/?next=/bureau/")
        page.get_by_label("Adresse courriel").fill(agent.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "confirmez votre adresse courriel"
        )
        expect(page.locator("dd code")).to_have_count(0)  # no key before the code
        expect(page.locator("svg")).to_have_count(0)
        check_a11y(page, "confirmation de l'adresse")

        page.get_by_role("button", name="Recevoir un code par courriel").click()
        expect(page.get_by_role("status")).to_contain_text("vient d'être envoyé")
        check_a11y(page, "code envoyé")
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [agent.email]
        found = re.search(r"^(\d{8})$", str(mail.outbox[0].body), re.MULTILINE)
        assert found
        code = found.group(1)

        page.get_by_label("Code reçu par courriel").fill(f"{(int(code) + 1) % 10**8:08d}")
        page.get_by_role("button", name="Confirmer mon adresse").click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("Il vous reste 4 essais")
        check_a11y(page, "code incorrect")
        summary.get_by_role("link").first.click()
        expect(page.get_by_label("Code reçu par courriel")).to_be_focused()

        page.get_by_label("Code reçu par courriel").fill(code)
        page.get_by_role("button", name="Confirmer mon adresse").click()
        expect(page.get_by_role("status")).to_contain_text("Votre adresse courriel est confirmée")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Activer la validation en deux étapes"
        )
        check_a11y(page, "activation après le code")
        secret = page.locator("dd code").inner_text()
        page.get_by_label("Code à 6 chiffres").fill(totp.code_at(secret, time.time()))
        page.get_by_role("button", name="Confirmer et activer").click()
        expect(page).to_have_url(f"{base}/bureau/")
        assert TotpDevice.objects.filter(user=agent, confirmed_at__isnull=False).exists()
