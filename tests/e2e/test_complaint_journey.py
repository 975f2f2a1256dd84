"""The complaints journey of issue 15 in a real browser, with axe-core on every page: a client
complains about their dossier from its page; the Commissaire acknowledges, opens the dossier
with a logged reason, and answers; the client reads the answer under « Mes plaintes »."""

from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from guichet.audit.models import AccessLog, SubjectKind
from guichet.complaints.models import Complaint
from guichet.testing import PASSWORD, Personas, make_dossier
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_complain_acknowledge_answer_read(
    browser: Browser, live_server: Any, personas: Personas, commissaire: Any
) -> None:
    base = str(live_server)
    with time_machine.travel("2026-12-01 10:00 -05:00", tick=True):
        dossier = make_dossier(personas)
        client = log_in(browser, base, personas.owner.email)
        client.goto(f"{base}/dossiers/{dossier.number}/")
        client.get_by_role(
            "link", name="Porter plainte au Commissaire aux plaintes à propos de ce dossier"
        ).click()
        check_a11y(client, "formulaire de plainte")
        expect(client.get_by_label("Dossier concerné")).to_have_value(dossier.number)
        client.get_by_role("button", name="Envoyer au Commissaire").click()
        check_a11y(client, "formulaire avec erreurs")
        expect(client.get_by_role("alert")).to_contain_text("Choisissez plainte ou commentaire.")
        client.get_by_label("Porter plainte").check()
        client.get_by_label("Délais").check()
        client.get_by_label("Décrivez la situation").fill("Aucune nouvelle depuis un mois.")
        client.get_by_role("button", name="Envoyer au Commissaire").click()
        complaint = Complaint.objects.get()
        expect(client.get_by_role("heading", level=1)).to_have_text(
            f"Plainte n° {complaint.number}"
        )
        check_a11y(client, "ma plainte (reçue)")

    with time_machine.travel("2026-12-02 09:00 -05:00", tick=True):
        office = log_in(browser, base, commissaire.email)
        office.get_by_role("link", name="Plaintes", exact=True).click()
        check_a11y(office, "liste de travail du Commissaire")
        expect(office.get_by_role("row", name=complaint.number)).to_contain_text("2026-12-03")
        office.get_by_role("link", name=complaint.number).click()
        check_a11y(office, "plainte (Commissaire)")
        office.get_by_role("button", name="Envoyer l'accusé de réception").click()
        expect(office.get_by_role("status")).to_contain_text("Accusé de réception envoyé.")
        office.get_by_role("link", name="consulter le dossier").click()
        check_a11y(office, "motif de consultation du dossier")
        office.get_by_label("Motif de la consultation du dossier").fill("vérifier les délais")
        office.get_by_role("button", name="Consulter le dossier").click()
        expect(office.get_by_role("heading", name="Historique du dossier")).to_be_visible()
        check_a11y(office, "dossier visé")
        read = AccessLog.objects.filter(subject_kind=SubjectKind.DOSSIER, actor=commissaire).get()
        assert read.why == "examen d'une plainte : vérifier les délais"
        office.get_by_role("link", name="Retour à la plainte").click()
        office.get_by_label("Partiellement fondée").check()
        office.get_by_label("Ce qui a été constaté").fill("Le dossier attendait une pièce.")
        office.get_by_label("Ce qui changera").fill("Un avis plus clair des pièces manquantes.")
        office.get_by_role("button", name="Envoyer la réponse").click()
        expect(office.get_by_role("status")).to_contain_text("Réponse envoyée.")
        check_a11y(office, "plainte répondue (Commissaire)")

    with time_machine.travel("2026-12-03 09:00 -05:00", tick=True):
        client = log_in(browser, base, personas.owner.email)
        client.goto(f"{base}/mes-plaintes/")
        check_a11y(client, "mes plaintes")
        client.get_by_role("link", name=complaint.number).click()
        expect(client.get_by_role("heading", name="La réponse du Commissaire")).to_be_visible()
        expect(client.locator("main")).to_contain_text("Le dossier attendait une pièce.")
        expect(client.locator("main")).to_contain_text("plainte partiellement fondée")
        check_a11y(client, "réponse lue par le client")
