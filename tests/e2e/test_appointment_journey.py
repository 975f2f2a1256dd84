"""Issue 13 in a real browser, axe-core on every page: a client asks for a first-steps meeting,
books a slot that keeps the promise (check your answers, then the confirmation), downloads the
invitation (.ics, parsed back with `icalendar`), postpones and books again; on the day, the agent
of the office checks the client in, starts and holds the meeting.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from guichet.accounts.models import Unit
from guichet.appointments.models import AppointmentRequest, BookingState, Office, SlotKind
from guichet.appointments.services import slot_publish
from guichet.testing import PASSWORD, Personas
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TZ = ZoneInfo("America/Toronto")
SERVICE = "siq-rencontre-individuelle"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def check_a11y(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def log_in(browser: Browser, base: str, email: str) -> Page:
    for context in browser.contexts:
        context.close()
    page = browser.new_context(locale="fr-CA", bypass_csp=True, accept_downloads=True).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def test_book_postpone_attend(browser: Browser, live_server: Any, personas: Personas) -> None:
    base = str(live_server)
    office = Office.objects.create(
        code="siq-montreal",
        name="SIQ Montréal",
        unit=Unit.objects.get(code="caq"),
        address="285, rue Notre-Dame Ouest, Montréal",
        region="Montréal",
        hours="8 h 30 à 16 h 30",
        services=[SERVICE],
    )
    with time_machine.travel(local("2026-12-04 09:00"), tick=False):
        first, second = (
            slot_publish(
                office=office,
                service_code=SERVICE,
                kind=SlotKind.MEETING,
                starts_at=local(at),
                minutes=45,
                actor=None,
                agent=personas.agent,
            )
            for at in ("2026-12-09 09:00", "2026-12-10 13:30")
        )
    with time_machine.travel(local("2026-12-04 10:00"), tick=True):
        page = log_in(browser, base, personas.owner.email)
        page.goto(f"{base}/rendez-vous/demander/")
        check_a11y(page, "demande")
        page.get_by_label("Rencontre individuelle sur les premières démarches").check()
        page.get_by_label("Au bureau").check()
        page.get_by_label("J'ai besoin d'une salle accessible").check()
        page.get_by_role("button", name="Voir les créneaux").click()
        expect(page.get_by_role("heading", name="Créneaux dans le délai promis")).to_be_visible()
        check_a11y(page, "créneaux")
        page.get_by_role("link", name="Choisir ce créneau").first.click()
        expect(page.get_by_role("heading", name="Vérifiez votre rendez-vous")).to_be_visible()
        check_a11y(page, "vérification")
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
        expect(page.get_by_role("heading", name="Votre rendez-vous est confirmé")).to_be_visible()
        check_a11y(page, "confirmation")
        with page.expect_download() as download:
            page.get_by_role("link", name="Ajouter à mon agenda").click()
        event = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")[0]
        assert event.decoded("dtstart") == local("2026-12-09 09:00")
        # Postpone: a new request, a new clock from today; the first slot is free again.
        page.get_by_role("button", name="Reporter le rendez-vous").click()
        expect(page.get_by_role("heading", name="Choisir un créneau")).to_be_visible()
        check_a11y(page, "report")
        page.locator(f"a[href$='/creneaux/{second.pk}/']").click()
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
        expect(page.get_by_role("heading", name="Votre rendez-vous est confirmé")).to_be_visible()
        page.goto(f"{base}/rendez-vous/")
        check_a11y(page, "mes rendez-vous")
    first.refresh_from_db()
    assert first.booked == 0
    request = AppointmentRequest.objects.get(state="booked")
    assert request.previous is not None
    with time_machine.travel(local("2026-12-10 13:20"), tick=True):
        page = log_in(browser, base, personas.agent.email)
        page.goto(f"{base}/bureau/rendez-vous/siq-montreal/?jour=2026-12-10")
        check_a11y(page, "journée")
        row = page.locator("tr", has_text="Dominique Exemple")
        row.get_by_role("button", name="Arrivée").click()
        page.locator("tr", has_text="Dominique Exemple").get_by_role("button", name="Début").click()
        page.locator("tr", has_text="Dominique Exemple").get_by_role("button", name="Tenu").click()
        expect(page.locator("tr", has_text="Dominique Exemple")).to_contain_text("Tenu")
        check_a11y(page, "journée après")
        page.goto(f"{base}/bureau/rendez-vous/siq-montreal/demandes/")
        check_a11y(page, "demandes")
        page.goto(f"{base}/bureau/rendez-vous/siq-montreal/capacite/")
        check_a11y(page, "capacité")
    booking = request.bookings.get()
    assert booking.state == BookingState.HELD
    assert booking.checked_in_at is not None and booking.checked_in_at <= second.starts_at
