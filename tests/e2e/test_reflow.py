"""WCAG 1.4.10 (reflow): every main page, portal and staff, signed in as each persona, fits a
window 320 px wide: `document.documentElement.scrollWidth <= 320` (no horizontal scroll)."""

from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser

from guichet.accounts.models import GlobalRole, RoleGrant, Unit, User
from guichet.appointments.models import Office
from guichet.dossiers import services
from guichet.testing import PASSWORD, Personas, make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 320


def _pages(number: str) -> dict[str, list[str]]:
    client = [
        "/",
        "/dossiers/",
        "/dossiers/lier/",
        "/demande/caq-etudiant/coordonnees/",
        "/confidentialite/mes-renseignements/",
        "/confidentialite/politique/",
        "/accounts/securite/",
        "/accounts/langue/",
        "/rendez-vous/",
        "/rendez-vous/demander/",
        "/plaintes/",
        "/mes-plaintes/",
        "/organismes/",
    ]
    owner = [
        *client,
        f"/dossiers/{number}/",
        f"/dossiers/{number}/envoyee/",
        f"/dossiers/{number}/changement/",
    ]
    staff = [
        "/bureau/",
        "/bureau/?flag=overdue",
        "/bureau/courrier/",
        "/dossiers/",
        "/accounts/securite/",
        "/bureau/contact/",
    ]
    unit = [
        *staff,
        "/bureau/rendez-vous/",
        "/bureau/rendez-vous/siq-montreal/",
        "/bureau/rendez-vous/siq-montreal/demandes/",
        "/bureau/rendez-vous/siq-montreal/capacite/",
        f"/bureau/dossiers/{number}/",
        f"/bureau/dossiers/{number}/?formulaire=incomplet",
    ]
    return {
        "anonyme": [
            "/",
            "/accounts/login/",
            "/accounts/inscription/",
            "/accounts/password_reset/",
            "/confidentialite/politique/",
            "/plaintes/",
            "/organismes/",
        ],
        "owner": owner,
        "other_client": client,
        "agent": unit,
        "supervisor": [
            *unit,
            "/resultats/",
            "/resultats/dossiers/",
            "/resultats/telephonie/",
            "/resultats/rapport-annuel/",
            "/bureau/recommandations/",
        ],
        "commissaire": ["/commissaire/", "/commissaire/nouvelle/", "/commissaire/bilan/"],
        "other_agent": staff,
        "privacy_officer": [
            "/confidentialite/",
            "/confidentialite/journal/",
            "/confidentialite/incidents/",
            "/confidentialite/incidents/nouveau/",
            "/confidentialite/conservation/",
            "/confidentialite/demandes/",
        ],
        "administrator": [
            "/administration/",
            "/administration/unites/",
            "/administration/historique/",
        ],
    }


def test_every_main_page_fits_320_px(
    browser: Browser, live_server: Any, personas: Personas
) -> None:
    base = str(live_server)
    officer = User.objects.create_user("prp@example.org", PASSWORD, full_name="Camille Resp")
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    admin = User.objects.create_user("adm@example.org", PASSWORD, full_name="Ariane Adm")
    RoleGrant.objects.create(user=admin, role=GlobalRole.ADMINISTRATOR)
    Office.objects.create(
        code="siq-montreal",
        name="SIQ Montréal",
        unit=Unit.objects.get(code="caq"),
        address="285, rue Notre-Dame Ouest, Montréal",
        region="Montréal",
        hours="8 h 30 à 16 h 30",
        services=["siq-rencontre-individuelle"],
    )
    commissaire = User.objects.create_user("cap@example.org", PASSWORD, full_name="Cam Comm")
    RoleGrant.objects.create(user=commissaire, role=GlobalRole.COMMISSAIRE)
    people = {
        **personas.all(),
        "privacy_officer": officer,
        "administrator": admin,
        "commissaire": commissaire,
    }
    with time_machine.travel("2027-01-05 09:00 -05:00", tick=True):
        dossier = make_dossier(personas)
        # A history with a long row and an incomplete state: the widest dossier page.
        services.dossier_assign(dossier=dossier, agent=personas.agent, actor=personas.supervisor)
        services.dossier_request_items(
            dossier=dossier,
            codes=["doc:passeport"],
            items=["Relevé de notes officiel de la dernière année d'études complétée"],
            actor=personas.agent,
        )
        too_wide: list[str] = []
        for who, paths in _pages(dossier.number).items():
            for context in browser.contexts:
                context.close()
            page = browser.new_context(
                locale="fr-CA", viewport={"width": WIDTH, "height": 700}
            ).new_page()
            if who != "anonyme":
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Adresse courriel").fill(people[who].email)
                page.get_by_label("Mot de passe").fill(PASSWORD)
                page.get_by_role("button", name="Se connecter").click()
                page.wait_for_load_state()
            for path in paths:
                response = page.goto(f"{base}{path}")
                assert response is not None and response.status < 400, (who, path)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > WIDTH:
                    too_wide.append(f"{who} {path}: {width} px")
    assert too_wide == []
