"""Sign-up, activation, a second factor and log-in with it, in a real browser; axe-core on
every page of the way (WCAG 2.2 AA). The activation link is read from the e-mail the live
server (in-process, locmem backend) sent."""

import io
import re
import time
from typing import Any

import pytest
import time_machine
import zxingcpp
from django.core import mail
from PIL import Image
from playwright.sync_api import Page, expect

from guichet.accounts import totp
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test account)


def check_a11y(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


QR_NAME = "Code QR de configuration pour Guichet"


def qr_code_read(page: Page) -> list[str]:
    """What a decoder reads from the QR code as the browser drew it."""
    qr = page.get_by_role("img", name=QR_NAME)
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (196, 196)
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))]


def enrol_page_under_the_real_policy(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Open the enrolment page in a second tab of the same session whose browser enforces the
    site's CSP (the journey's own tab bypasses it for axe-core); return the policy violations
    the page raised and what a decoder reads from its QR code."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(locale="fr-CA", storage_state=page.context.storage_state())
    context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    strict = context.new_page()
    strict.goto(url)
    read = qr_code_read(strict)
    violations: list[str] = strict.evaluate("window.cspViolations")
    context.close()
    return violations, read


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill("camille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_sign_up_activate_enrol_and_log_in_with_a_code(page: Page, live_server: Any) -> None:
    base = str(live_server)
    mail.outbox.clear()
    with time_machine.travel("2026-03-02 09:00 -05:00", tick=True) as traveller:
        page.goto(f"{base}/accounts/login/")
        check_a11y(page, "connexion")
        page.get_by_role("link", name="Mot de passe oublié ?").click()
        check_a11y(page, "mot de passe oublié")
        page.goto(f"{base}/accounts/login/")
        page.get_by_role("link", name="Créer un compte").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
        check_a11y(page, "inscription")

        # Sent with mismatched passwords: the summary links to the field.
        page.get_by_label("Nom complet").fill("Camille Exemple")
        page.get_by_label("Adresse courriel").fill("camille@example.org")
        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_label("Confirmez le mot de passe").fill(PASSWORD + "x")
        page.get_by_role("button", name="Créer mon compte").click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("ne sont pas identiques")
        check_a11y(page, "inscription avec erreur")
        summary.get_by_role("link").first.click()
        expect(page.get_by_label("Confirmez le mot de passe")).to_be_focused()

        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Créer mon compte").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos courriels")
        check_a11y(page, "courriel envoyé")

        assert len(mail.outbox) == 1
        found = re.search(r"(https?://[^/\s]+)(/accounts/activer/\S+)", str(mail.outbox[0].body))
        assert found
        # The link is the server's own address (GUICHET_PUBLIC_URL unset: the request's), not
        # a fixed 127.0.0.1:8000.
        assert found.group(1) == base
        page.goto(found.group(0))
        expect(page.get_by_role("heading", level=1)).to_have_text("Activer votre compte")
        check_a11y(page, "activation")
        page.get_by_role("button", name="Activer mon compte").click()
        # Signed in by the activation: no second log-in.
        expect(page.get_by_role("status")).to_contain_text(
            "Votre compte est activé et vous êtes connecté."
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
        check_a11y(page, "connecté après activation")
        page.goto(f"{base}/accounts/securite/")
        check_a11y(page, "sécurité du compte")
        page.get_by_role("link", name="Activer la validation en deux étapes").click()
        check_a11y(page, "activation de la validation en deux étapes")
        secret = page.locator("dd code").inner_text()
        # The QR code as drawn decodes to the address the page also shows as text, with the
        # site's CSP enforced too (no inline style blocked, the same key on the reload).
        uri = page.locator("#otpauth-uri").input_value()
        assert uri.startswith("otpauth://totp/Guichet:camille%40example.org?secret=")
        assert qr_code_read(page) == [uri]
        assert enrol_page_under_the_real_policy(page, page.url) == ([], [uri])
        code = totp.code_at(secret, time.time())
        page.get_by_label("Code à 6 chiffres").fill(code)
        page.get_by_role("button", name="Confirmer et activer").click()
        expect(page.get_by_role("status")).to_contain_text("validation en deux étapes est activée")

        page.get_by_role("button", name="Se déconnecter").click()
        traveller.shift(30)  # a new 30-second step: the enrolment code is used up
        log_in(page, base)
        expect(page.get_by_role("heading", level=1)).to_have_text("Entrez votre code de validation")
        check_a11y(page, "vérification du code")
        page.get_by_label("Code à 6 chiffres").fill(code)  # already used
        page.get_by_role("button", name="Valider").click()
        expect(page.get_by_role("alert")).to_contain_text("Ce code a déjà servi")
        check_a11y(page, "vérification du code avec erreur")
        code = totp.code_at(secret, time.time())
        page.get_by_label("Code à 6 chiffres").fill(code)
        page.get_by_role("button", name="Valider").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
