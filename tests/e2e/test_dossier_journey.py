"""The journey of issue 3 in a real browser, with axe-core on every page:

a client files a request; an agent sends an incompleteness notice; the client sends the
missing document; the agent decides; the client reads the decision and downloads the letter,
and the due date shown moved by the suspended days.

Time is frozen at each step (time-machine moves the live server's clock too), so the dates are
the worked example of DOMAIN.md: received Fri 2026-12-18, 20 business days → due Mon
2027-01-25; suspended 2027-01-05 → 2027-01-12 (five business days) → due Mon 2027-02-01.
"""

from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from guichet.testing import PASSWORD, Personas, pdf_bytes
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_a11y(page: Page, where: str, seen: dict[str, Any]) -> None:
    violations = axe_violations(page)
    seen[where] = violations
    assert violations == [], f"{where}: {violations}"


def log_in(browser: Browser, base: str, email: str) -> Page:
    """A fresh browser session signed in as `email` (each time jump needs a new sign-in)."""
    for context in browser.contexts:  # close the previous sessions: no request outlives a step
        context.close()
    page = browser.new_context(locale="fr-CA", bypass_csp=True).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def test_file_suspend_resume_decide_read(
    browser: Browser, live_server: Any, personas: Personas, tmp_path: Path
) -> None:
    base = str(live_server)
    seen: dict[str, Any] = {}
    scan = tmp_path / "lettre-admission.pdf"
    scan.write_bytes(pdf_bytes(comment=b"% lettre d'admission (test)\n"))
    number = ""

    with time_machine.travel("2026-12-18 10:00 -05:00", tick=True):
        client = log_in(browser, base, personas.owner.email)
        check_a11y(client, "mes dossiers (vide)", seen)
        client.goto(f"{base}/")
        check_a11y(client, "accueil", seen)
        client.get_by_role(
            "link",
            name="Faire une demande : Demande ou renouvellement d'un certificat "
            "d'acceptation du Québec (CAQ) — étudiant étranger",
        ).click()
        expect(client.get_by_role("heading", level=1)).to_have_text("Vos coordonnées")
        check_a11y(client, "formulaire de demande", seen)
        client.get_by_label("Nom complet").fill("Dominique Exemple")
        client.get_by_label("Adresse postale").fill("100, rue de l'Exemple\nMontréal")
        client.get_by_role("button", name="Continuer").click()
        client.get_by_label("Jour").fill("17")
        client.get_by_label("Mois").fill("5")
        client.get_by_label("Année").fill("1990")
        client.get_by_role("button", name="Continuer").click()
        client.get_by_label("Lettre d'admission", exact=False).first.set_input_files(str(scan))
        client.get_by_role("button", name="Continuer").click()
        # Sent without the declaration: the error summary links to the field.
        client.get_by_role("button", name="Envoyer ma demande").click()
        expect(client.get_by_role("alert")).to_contain_text("Cochez la déclaration")
        check_a11y(client, "formulaire avec erreur", seen)
        client.get_by_label("Je déclare que les renseignements fournis").check()
        client.get_by_role("button", name="Envoyer ma demande").click()
        expect(client.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
        client.get_by_role("link", name="Suivre votre dossier", exact=False).click()
        expect(client.get_by_role("heading", level=1)).to_contain_text("Dossier 2026-")
        number = client.get_by_role("heading", level=1).inner_text().split()[-1]
        expect(client.locator(".expected")).to_contain_text("au plus tard le lundi 25 janvier 2027")
        check_a11y(client, "dossier reçu", seen)

    with time_machine.travel("2027-01-05 09:00 -05:00", tick=True):
        agent = log_in(browser, base, personas.agent.email)
        expect(agent.get_by_role("heading", level=1)).to_have_text("Liste de travail")
        check_a11y(agent, "liste de travail", seen)
        agent.get_by_role("link", name=number, exact=True).click()
        check_a11y(agent, "dossier au bureau", seen)
        agent.locator("summary", has_text="Dossier incomplet").click()
        agent.get_by_label("Preuve de capacité financière", exact=False).check()
        agent.get_by_role("button", name="Voir la lettre avant l'envoi").click()
        agent.get_by_role("button", name="Envoyer l'avis (le délai est suspendu)").click()
        expect(agent.get_by_role("status")).to_contain_text("le délai est suspendu")
        check_a11y(agent, "dossier suspendu au bureau", seen)

    with time_machine.travel("2027-01-12 11:00 -05:00", tick=True):
        client = log_in(browser, base, personas.owner.email)
        client.get_by_role("link", name=number).click()
        missing = client.get_by_role("region", name="Ce qui manque à votre demande")
        expect(missing).to_contain_text("Preuve de capacité financière")
        expect(missing).to_contain_text("Paiement des frais exigés")
        check_a11y(client, "dossier incomplet (client)", seen)
        missing.get_by_label("Preuve de capacité financière", exact=False).set_input_files(
            str(scan)
        )
        missing.get_by_role("button", name="Envoyer les documents").click()
        expect(client.get_by_role("status")).to_contain_text("Vos documents ont été reçus")
        # The fee asked for is still missing: the clock stays suspended until it is paid.
        expect(client.get_by_role("status")).to_contain_text("Le délai reste suspendu")
        agent = log_in(browser, base, personas.agent.email)
        agent.goto(f"{base}/bureau/dossiers/{number}/")
        agent.get_by_role("button", name="Inscrire le paiement des frais").click()
        expect(agent.get_by_role("status")).to_contain_text("le délai reprend")
        client = log_in(browser, base, personas.owner.email)
        client.goto(f"{base}/dossiers/{number}/")
        # The due date moved by the five suspended business days.
        expect(client.locator(".expected")).to_contain_text("au plus tard le lundi 1 février 2027")
        expect(
            client.get_by_text(
                "plus 5 jours ouvrables pendant lesquels votre demande était incomplète"
            )
        ).to_be_visible()
        check_a11y(client, "dossier repris (client)", seen)

        agent = log_in(browser, base, personas.agent.email)
        agent.goto(f"{base}/bureau/dossiers/{number}/")
        agent.locator("summary", has_text="Rendre la décision").click()
        agent.get_by_label("Décision", exact=True).select_option("accepted")
        agent.get_by_label("Motifs, en langage clair").fill(
            "Vous remplissez toutes les conditions du programme d'études."
        )
        agent.get_by_role("button", name="Rendre la décision").click()
        expect(agent.get_by_role("status")).to_contain_text("Décision rendue")
        check_a11y(agent, "décision rendue (bureau)", seen)

        client = log_in(browser, base, personas.owner.email)
        client.goto(f"{base}/dossiers/{number}/")
        decision = client.get_by_role("region", name="Décision")
        expect(decision).to_contain_text("Votre demande est acceptée")
        expect(decision).to_contain_text("toutes les conditions du programme d'études")
        expect(decision).to_contain_text("Vos recours")
        check_a11y(client, "décision (client)", seen)
        letter = client.get_by_role(
            "link", name=f"Décision concernant votre demande — dossier {number}"
        )
        response = client.request.get(f"{base}{letter.get_attribute('href')}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")

    client.context.close()
    assert len(seen) == 12
