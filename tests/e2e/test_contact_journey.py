"""The contact centre in a real browser, with axe-core on every page: an agent opens the
worklist from the navigation, listens to a voice message (the audio element plays the stored
recording), records the call back, answers an e-mail from a reply template (sent by SMTP to a
real server); a supervisor opens the telephony page. No WCAG 2.2 AA violation anywhere.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from guichet.contact.models import EnquiryClock, ReplyTemplate, VoiceMessage
from guichet.contact.queuelog import queue_log_import
from guichet.contact.services import enquiry_receive, voicemail_import
from guichet.contact.tests.servers import Smtp, smtp_server
from guichet.contact.tests.test_email import mail
from guichet.contact.tests.test_telephone import queue_log
from guichet.contact.tests.test_voicemail import left
from guichet.testing import PASSWORD, Personas
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["smtp_server"]  # the real SMTP server, as a fixture of this module


def check_a11y(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def log_in(browser: Browser, base: str, email: str) -> Page:
    for context in browser.contexts:
        context.close()
    page = browser.new_context(locale="fr-CA", bypass_csp=True).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def test_voice_mail_email_and_telephony(
    browser: Browser,
    live_server: Any,
    personas: Personas,
    tmp_path: Path,
    smtp_server: Smtp,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = str(live_server)
    inbox = tmp_path / "store" / "1000" / "INBOX"
    inbox.mkdir(parents=True)
    left(inbox, "msg0000", "2026-11-28 11:00")
    voicemail_import(root=tmp_path / "store")
    enquiry = enquiry_receive(raw=mail().as_bytes()).enquiry
    ReplyTemplate.objects.create(
        name="Délais CAQ", body="Bonjour, le délai est de 20 jours ouvrables."
    )
    log = tmp_path / "queue_log"
    log.write_text("\n".join(queue_log()) + "\n")
    queue_log_import(path=log)

    page = log_in(browser, base, personas.agent.email)
    page.get_by_role("link", name="Messages et courriels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Messages vocaux et courriels à traiter"
    )
    check_a11y(page, "worklist")
    message = VoiceMessage.objects.get()
    page.get_by_role("link", name=f"Message vocal n° {message.pk}").click()
    check_a11y(page, "voice message")
    page.screenshot(path=str(tmp_path / "voice.png"), full_page=True)
    # The recording is the stored one, served to the audio element.
    size = page.evaluate(
        "async () => (await (await fetch(document.querySelector('audio').src))"
        ".arrayBuffer()).byteLength"
    )
    assert size == message.audio.size
    page.get_by_label("Transcription du message").fill("Rappelez-moi au sujet de mon CAQ.")
    page.get_by_role("button", name="Enregistrer la transcription").click()
    page.get_by_label("Compte rendu du rappel").fill("Rappelée, délai expliqué.")
    page.get_by_role("button", name="J'ai rappelé cette personne").click()
    expect(page.get_by_text("Rappel enregistré : le délai est arrêté.")).to_be_visible()
    page.get_by_role("link", name=f"Demande n° {enquiry.pk}").click()
    check_a11y(page, "enquiry")
    page.screenshot(path=str(tmp_path / "enquiry.png"), full_page=True)
    page.get_by_label("Partir d'un modèle de réponse").select_option(label="Délais CAQ")
    page.get_by_role("button", name="Utiliser ce modèle").click()
    expect(page.get_by_label("Réponse", exact=True)).to_have_value(
        "Bonjour, le délai est de 20 jours ouvrables."
    )
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text("Réponse envoyée : le délai est arrêté.")).to_be_visible()
    assert (
        smtp_server.received[-1].get_content().strip()
        == "Bonjour, le délai est de 20 jours ouvrables."
    )
    assert EnquiryClock.objects.get().answered_at is not None

    page = log_in(browser, base, personas.supervisor.email)
    page.get_by_role("link", name="Téléphonie").click()
    page.get_by_label("Du", exact=True).fill("2026-10-26")
    page.get_by_label("Au", exact=True).fill("2026-11-02")
    page.get_by_label("File d'attente").fill("info")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#telephone-total")).to_contain_text("30,0 %")
    check_a11y(page, "telephony")
    page.screenshot(path=str(tmp_path / "telephony.png"), full_page=True)
