"""Issue 12: the client's and the agent's journeys as a person meets them, in a real browser,
at 1280 px and at 375 px wide, with axe-core on every page and no horizontal scroll.

One dossier's life, with the worked example's dates (DOMAIN.md): filed Fri 2026-12-18 in short
steps with "Vérifier vos réponses" (the date of birth in three fields, errors that take the
focus and the title), the confirmation panel (number, what happens next, the date, what is
already missing); the agent's incompleteness notice (an empty one refused, the items picked
among the checklist's missing documents and the fee, the letter read before it goes; after the
refusal the other action forms still open); the client's answer, each item its own way (a
document uploaded for its item, the fee's amount and how to pay): a partial answer keeps the
clock suspended and says what still blocks; the fee's payment, the last item, resumes it, and
the due date moves by the five suspended days (Mon 2027-02-01).
"""

import os
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from guichet.dossiers.models import Dossier, DossierState, EventKind
from guichet.testing import PASSWORD, Personas, pdf_bytes
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "mobile": 375}
# Screenshots of every page checked, to look at: GUICHET_SHOTS=/some/dir (none by default).
SHOTS = os.environ.get("GUICHET_SHOTS", "")


def open_session(browser: Browser, base: str, email: str, width: int) -> Page:
    """A fresh browser session `width` px wide, signed in as `email`."""
    for context in browser.contexts:
        context.close()
    page = browser.new_context(
        locale="fr-CA", bypass_csp=True, viewport={"width": width, "height": 900}
    ).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def check(page: Page, where: str, width: int, seen: list[str]) -> None:
    """No axe violation, and nothing wider than the window (WCAG 1.4.10)."""
    seen.append(where)
    violations = axe_violations(page)
    assert violations == [], f"{where} ({width} px): {violations}"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where} ({width} px): the page is {scroll} px wide"
    if SHOTS:
        Path(SHOTS).mkdir(exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{width}-{len(seen):02d}.png"), full_page=True)


def expect_error_page(page: Page, message: str) -> None:
    """GOV.UK's error pattern: the title starts with « Erreur : », the summary has the focus
    and lists the message, with no stray « : »."""
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(message)
    assert page.title().startswith("Erreur : "), page.title()
    assert page.evaluate(
        "document.activeElement && document.activeElement.classList.contains('error-summary')"
    ), "the error summary does not have the focus"
    for line in summary.locator("li").all_inner_texts():
        assert not line.strip().startswith(":"), line
        assert " ? :" not in line and " :  " not in line and not line.strip().endswith(":"), line


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_a_dossier_from_filing_to_resumed_clock(
    browser: Browser, live_server: Any, personas: Personas, tmp_path: Path, screen: str
) -> None:
    width = WIDTHS[screen]
    base = str(live_server)
    seen: list[str] = []
    scan = tmp_path / "scan-0042.pdf"
    scan.write_bytes(pdf_bytes(comment=b"% une piece (test)\n"))

    with time_machine.travel("2026-12-18 10:00 -05:00", tick=True):
        client = open_session(browser, base, personas.owner.email, width)
        client.goto(f"{base}/")
        client.get_by_role(
            "link",
            name="Faire une demande : Demande ou renouvellement d'un certificat "
            "d'acceptation du Québec (CAQ) — étudiant étranger",
        ).click()
        expect(client.get_by_role("heading", level=1)).to_have_text("Vos coordonnées")
        expect(client.get_by_text("Étape 1 sur 4")).to_be_visible()
        check(client, "étape 1", width, seen)
        client.get_by_role("button", name="Continuer").click()
        expect_error_page(client, "Entrez votre nom complet.")
        check(client, "étape 1 en erreur", width, seen)
        client.get_by_label("Nom complet").fill("Dominique Exemple")
        client.get_by_label("Adresse postale").fill("100, rue de l'Exemple\nMontréal")
        client.get_by_role("button", name="Continuer").click()

        expect(client.get_by_role("heading", level=1)).to_have_text("Votre identité")
        birth = client.get_by_role("group", name="Date de naissance")
        assert client.locator("input[type=date]").count() == 0  # no browser date picker
        birth.get_by_label("Jour").fill("31")
        birth.get_by_label("Mois").fill("2")
        birth.get_by_label("Année").fill("1990")
        client.get_by_role("button", name="Continuer").click()
        expect_error_page(client, "Cette date n'existe pas : vérifiez le jour et le mois.")
        check(client, "date de naissance en erreur", width, seen)
        birth = client.get_by_role("group", name="Date de naissance")
        birth.get_by_label("Jour").fill("17")
        birth.get_by_label("Mois").fill("5")
        client.get_by_role("button", name="Continuer").click()

        expect(client.get_by_role("heading", level=1)).to_have_text("Vos documents")
        check(client, "documents", width, seen)
        client.get_by_label("Lettre d'admission", exact=False).set_input_files(str(scan))
        client.get_by_role("button", name="Continuer").click()

        expect(client.get_by_role("heading", level=1)).to_have_text("Vérifier vos réponses")
        expect(client.locator(".summary-list")).to_contain_text(["Dominique Exemple"])
        expect(client.locator(".summary-list").last).to_contain_text("scan-0042.pdf")
        check(client, "vérifier vos réponses", width, seen)
        # Change an answer: back to its step, then straight back to the check page.
        client.get_by_role("link", name="Modifier le nom complet").click()
        client.get_by_label("Nom complet").fill("Dominique Exemple-Tremblay")
        client.get_by_role("button", name="Continuer").click()
        expect(client.get_by_role("heading", level=1)).to_have_text("Vérifier vos réponses")
        expect(client.locator(".summary-list").first).to_contain_text("Dominique Exemple-Tremblay")
        client.get_by_role("button", name="Envoyer ma demande").click()
        expect_error_page(client, "Cochez la déclaration pour envoyer votre demande.")
        client.get_by_label("Je déclare que les renseignements fournis").check()
        client.get_by_role("button", name="Envoyer ma demande").click()

        panel = client.locator(".confirmation-panel")
        expect(panel.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
        number = panel.locator(".number").inner_text()
        dossier = Dossier.objects.get(number=number)
        assert dossier.applicant_name == "Dominique Exemple-Tremblay"
        assert dossier.documents.get().label == (
            "Lettre d'admission d'un établissement d'enseignement du Québec"
        )
        expect(client.get_by_role("heading", name="Ce qui se passe ensuite")).to_be_visible()
        expect(client.get_by_text("au plus tard le lundi 25 janvier 2027")).to_be_visible()
        missing = client.get_by_role("region", name="Il manque déjà quelque chose")
        expect(missing).to_contain_text(
            "Document exigé non joint : Copie des pages du passeport montrant l'identité"
        )
        expect(missing).to_contain_text("Frais exigés non payés : 128,00 $")
        expect(missing).to_contain_text("le délai sera alors suspendu")
        check(client, "confirmation", width, seen)
        client.goto(f"{base}/dossiers/")
        row = client.get_by_role("row").filter(has_text=number)
        expect(row).to_contain_text("En traitement")
        check(client, "mes dossiers", width, seen)
        # The status is on screen, not cut off.
        box = row.get_by_text("En traitement").bounding_box()
        assert box is not None and box["x"] + box["width"] <= width

    with time_machine.travel("2027-01-05 09:00 -05:00", tick=True):
        agent = open_session(browser, base, personas.agent.email, width)
        row = agent.get_by_role("row").filter(has_text=number)
        expect(row).to_contain_text("Non attribué")
        check(agent, "liste de travail", width, seen)
        row.get_by_role("link", name=f"attribuer le dossier {number}").click()
        expect(agent.locator("#action-attribuer")).to_have_attribute("open", "")
        agent.get_by_label("Agent", exact=True).select_option(label="Alex Agent")
        agent.get_by_role("button", name="Attribuer").click()
        expect(agent.get_by_role("status")).to_contain_text("Dossier attribué.")
        expect(agent.locator("footer")).not_to_contain_text("votre demande")

        agent.locator("summary", has_text="Dossier incomplet").click()
        items = agent.get_by_role("group", name="Éléments manquants")
        expect(items.get_by_label("Copie des pages du passeport", exact=False)).to_be_visible()
        expect(items.get_by_label("Paiement des frais exigés", exact=False)).to_be_visible()
        # Nothing chosen: refused, nothing sent.
        agent.get_by_role("button", name="Voir la lettre avant l'envoi").click()
        expect_error_page(agent, "un avis vide n'est pas envoyé")
        check(agent, "avis vide refusé", width, seen)
        # After the refusal, another action's form still opens (it used to stay empty).
        agent.locator("summary", has_text="Rendre la décision").click()
        expect(agent.get_by_label("Motifs, en langage clair")).to_be_visible()
        items = agent.get_by_role("group", name="Éléments manquants")
        items.get_by_label("Copie des pages du passeport", exact=False).check()
        agent.get_by_role("button", name="Voir la lettre avant l'envoi").click()
        preview = agent.get_by_role("region", name="La lettre qui partira (version française)")
        expect(preview).to_contain_text("Copie des pages du passeport montrant l'identité")
        expect(preview).to_contain_text("Paiement des frais exigés")
        expect(preview).to_contain_text("Frais à payer : 128,00 $")
        expect(preview).to_contain_text("Le traitement de votre demande est suspendu")
        assert (
            not Dossier.objects.get(pk=dossier.pk)
            .events.filter(kind=EventKind.INCOMPLETENESS_NOTICE)
            .exists()
        )
        check(agent, "aperçu de la lettre", width, seen)
        agent.get_by_role("button", name="Envoyer l'avis (le délai est suspendu)").click()
        expect(agent.get_by_role("status")).to_contain_text("le délai est suspendu")
        check(agent, "dossier suspendu (bureau)", width, seen)

    with time_machine.travel("2027-01-12 11:00 -05:00", tick=True):
        client = open_session(browser, base, personas.owner.email, width)
        client.goto(f"{base}/dossiers/{number}/")
        missing = client.get_by_role("region", name="Ce qui manque à votre demande")
        expect(missing.locator(".still-missing li")).to_have_text(
            ["Copie des pages du passeport montrant l'identité", "Paiement des frais exigés"]
        )
        expect(missing.get_by_role("heading", name="Payer les frais")).to_be_visible()
        expect(missing).to_contain_text("Montant : 128,00 $")
        expect(missing).to_contain_text("ministre des Finances du Québec")
        check(client, "dossier incomplet (client)", width, seen)
        missing.get_by_label("Copie des pages du passeport", exact=False).set_input_files(str(scan))
        client.get_by_role("button", name="Envoyer les documents").click()
        expect(client.get_by_role("status")).to_contain_text(
            "Le délai reste suspendu : il manque encore Paiement des frais exigés."
        )
        dossier.refresh_from_db()
        assert (dossier.state, dossier.due_date) == (DossierState.INCOMPLETE, None)
        expect(
            client.get_by_role("region", name="Ce qui manque à votre demande").locator(
                ".still-missing li"
            )
        ).to_have_text(["Paiement des frais exigés"])
        # The upload is listed by the item it answers, with the file's name beside it.
        expect(
            client.get_by_role("link", name="Copie des pages du passeport montrant l'identité")
        ).to_be_visible()
        check(client, "réponse partielle (client)", width, seen)

        agent = open_session(browser, base, personas.agent.email, width)
        agent.goto(f"{base}/bureau/dossiers/{number}/")
        expect(agent.get_by_text("Encore attendu :", exact=False).first).to_be_visible()
        agent.get_by_role("button", name="Inscrire le paiement des frais").click()
        expect(agent.get_by_role("status")).to_contain_text(
            "Tous les éléments demandés sont reçus : le délai reprend."
        )
        check(agent, "frais payés (bureau)", width, seen)

        client = open_session(browser, base, personas.owner.email, width)
        client.goto(f"{base}/dossiers/{number}/")
        expect(client.locator(".expected").first).to_contain_text(
            "au plus tard le lundi 1 février 2027"
        )
        check(client, "délai repris (client)", width, seen)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.due_date) == (DossierState.RECEIVED, date_(2027, 2, 1))
    assert len(seen) == 15


def date_(year: int, month: int, day: int) -> Any:
    from datetime import date

    return date(year, month, day)


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_activation_link_is_the_servers_address_and_signs_in(
    browser: Browser, live_server: Any, screen: str
) -> None:
    import re

    from django.core import mail

    width, base = WIDTHS[screen], str(live_server)
    seen: list[str] = []
    mail.outbox.clear()
    for context in browser.contexts:
        context.close()
    page = browser.new_context(
        locale="fr-CA", bypass_csp=True, viewport={"width": width, "height": 900}
    ).new_page()
    page.goto(f"{base}/accounts/inscription/")
    page.get_by_label("Nom complet").fill("Camille Exemple")
    page.get_by_label("Adresse courriel").fill("camille@example.org")
    page.get_by_label("Mot de passe", exact=True).fill("un-Mot-de-passe-solide-7")
    page.get_by_label("Confirmez le mot de passe").fill("un-Mot-de-passe-solide-7")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos courriels")
    found = re.search(r"https?://\S+/accounts/activer/\S+", str(mail.outbox[0].body))
    assert found and found.group(0).startswith(f"{base}/accounts/activer/"), found
    page.goto(found.group(0))
    check(page, "activation", width, seen)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    check(page, "connecté après activation", width, seen)


@pytest.mark.parametrize("screen", list(WIDTHS))
@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("English", "Some texts below are published in French only."),
        ("Español", "Algunos textos a continuación se publican solo en francés."),
    ],
)
def test_french_only_texts_are_said_so_in_the_pages_language(
    browser: Browser, live_server: Any, personas: Personas, screen: str, language: str, note: str
) -> None:
    width, base = WIDTHS[screen], str(live_server)
    seen: list[str] = []
    for context in browser.contexts:
        context.close()
    page = browser.new_context(
        locale="fr-CA", bypass_csp=True, viewport={"width": width, "height": 900}
    ).new_page()
    page.goto(f"{base}/")
    expect(page.locator(".french-only")).to_have_count(0)  # French pages need no note
    page.get_by_role("button", name=language).click()
    expect(page.locator(".french-only").first).to_have_text(note)
    check(page, f"accueil ({language})", width, seen)
