"""The pages: the client's journey, the office's day, and the persona matrix on every view
(allowed and forbidden; a denial changes nothing)."""

from typing import Any

import pytest
import time_machine
from icalendar import Calendar

from guichet.appointments import services
from guichet.appointments.models import (
    AppointmentRequest,
    Booking,
    BookingState,
    MeetingEvent,
    RequestState,
    Slot,
)
from guichet.appointments.tests.conftest import (
    SERVICES,
    Offices,
    local,
    meeting_slot,
    session_slot,
    signed_in,
)
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 10:00 -05:00"


@pytest.fixture
def booked(personas: Personas, offices: Offices) -> Booking:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = services.request_create(
        client=personas.owner,
        service_code=SERVICES[0],
        office=offices.montreal,
        actor=personas.owner,
    )
    return services.booking_create(request=request, slot=slot, actor=personas.owner)


@time_machine.travel(NOW, tick=False)
def test_the_client_asks_chooses_and_confirms(personas: Personas, offices: Offices) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    client = signed_in(personas.owner)
    assert client.get("/rendez-vous/demander/").status_code == 200
    response = client.post(
        "/rendez-vous/demander/",
        {
            "service": SERVICES[0],
            "mode": "office",
            "office": offices.montreal.pk,
            "interpreter_language": "arabe",
            "accessible_room": "on",
        },
    )
    request = AppointmentRequest.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/rendez-vous/{request.pk}/creneaux/"
    )
    html = client.get(response["Location"]).content.decode()
    assert "Créneaux dans le délai promis" in html and f"/creneaux/{slot.pk}/" in html
    check = client.get(f"/rendez-vous/{request.pk}/creneaux/{slot.pk}/")
    assert "Vérifiez votre rendez-vous" in check.content.decode()
    assert "interprète (arabe), salle accessible" in check.content.decode()
    done = client.post(f"/rendez-vous/{request.pk}/creneaux/{slot.pk}/")
    assert done["Location"] == f"/rendez-vous/{request.pk}/?confirme=1"
    page = client.get(done["Location"]).content.decode()
    assert "Votre rendez-vous est confirmé" in page
    ics = client.get(f"/rendez-vous/{request.pk}/invitation.ics")
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == local("2026-12-09 09:00")


@time_machine.travel(NOW, tick=False)
def test_a_seat_taken_meanwhile_gets_a_clear_answer(personas: Personas, offices: Offices) -> None:
    slot = session_slot(offices.montreal, offices.room, "2026-12-15 09:00", capacity=1)
    request = services.request_create(
        client=personas.owner,
        service_code=SERVICES[2],
        office=offices.montreal,
        actor=personas.owner,
    )
    Slot.objects.filter(pk=slot.pk).update(booked=1)
    response = signed_in(personas.owner).post(f"/rendez-vous/{request.pk}/creneaux/{slot.pk}/")
    assert response.status_code == 409
    assert "vient d&#x27;être prise" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_office_checks_in_starts_and_holds(personas: Personas, booked: Booking) -> None:
    day = signed_in(personas.agent).get("/bureau/rendez-vous/siq-montreal/", {"jour": "2026-12-09"})
    assert "Dominique Exemple" in day.content.decode()
    base = f"/bureau/rendez-vous/siq-montreal/reservations/{booked.pk}"
    for at, step in (("08:52", "arrivee"), ("09:03", "debut"), ("09:20", "tenu")):
        with time_machine.travel(local(f"2026-12-09 {at}"), tick=False):
            # A new sign-in each time: the session ends after 30 minutes.
            response = signed_in(personas.agent).post(f"{base}/{step}/")
            assert response["Location"] == "/bureau/rendez-vous/siq-montreal/?jour=2026-12-09"
    booked.refresh_from_db()
    assert booked.state == BookingState.HELD
    assert (booked.checked_in_at, booked.started_at) == (
        local("2026-12-09 08:52"),
        local("2026-12-09 09:03"),
    )


def _state() -> tuple[Any, ...]:
    return (
        tuple(AppointmentRequest.objects.order_by("pk").values_list("pk", "state")),
        tuple(Booking.objects.order_by("pk").values_list("pk", "state", "checked_in_at")),
        MeetingEvent.objects.count(),
        Slot.objects.get().booked,
    )


PORTAL_GETS = [
    "/rendez-vous/{pk}/",
    "/rendez-vous/{pk}/creneaux/",
    "/rendez-vous/{pk}/invitation.ics",
]
PORTAL_POSTS = ["/rendez-vous/{pk}/reporter/", "/rendez-vous/{pk}/annuler/"]
OFFICE_GETS = [
    "/bureau/rendez-vous/siq-montreal/",
    "/bureau/rendez-vous/siq-montreal/demandes/",
    "/bureau/rendez-vous/siq-montreal/capacite/",
]
OFFICE_POSTS = [
    "/bureau/rendez-vous/siq-montreal/reservations/{booking}/arrivee/",
    "/bureau/rendez-vous/siq-montreal/reservations/{booking}/absence/",
    "/bureau/rendez-vous/siq-montreal/reservations/{booking}/annuler/",
    "/bureau/rendez-vous/siq-montreal/sans-rendez-vous/",
]
# Who may do what: the client who booked reaches the portal pages of the meeting; the agent and
# the supervisor of the office its back-office pages; nobody else anything.
PORTAL_ALLOWED = {"owner"}
OFFICE_ALLOWED = {"agent", "supervisor"}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["owner", "other_client", "agent", "other_agent", "supervisor"])
def test_persona_matrix(personas: Personas, booked: Booking, who: str) -> None:
    user = personas.all()[who]
    client = signed_in(user)
    pk, booking = booked.request_id, booked.pk
    for url in PORTAL_GETS:
        # The owner's slots page sends a booked meeting back to its page.
        expected = {200, 302} if who in PORTAL_ALLOWED else {404}
        assert client.get(url.format(pk=pk)).status_code in expected, (who, url)
    for url in OFFICE_GETS:
        status = 200 if who in OFFICE_ALLOWED else 404
        assert client.get(url).status_code == status, (who, url)
    if who not in PORTAL_ALLOWED:
        before = _state()
        for url in PORTAL_POSTS:
            assert client.post(url.format(pk=pk)).status_code == 404, (who, url)
        assert _state() == before
    if who not in OFFICE_ALLOWED:
        before = _state()
        for url in OFFICE_POSTS:
            response = client.post(
                url.format(booking=booking), {"name": "X", "service": SERVICES[0]}
            )
            assert response.status_code == 404, (who, url)
        assert _state() == before


@time_machine.travel(NOW, tick=False)
def test_the_client_postpones_and_gets_a_new_clock(personas: Personas, booked: Booking) -> None:
    with time_machine.travel(local("2026-12-07 10:00"), tick=False):
        response = signed_in(personas.owner).post(f"/rendez-vous/{booked.request_id}/reporter/")
    new = AppointmentRequest.objects.get(previous_id=booked.request_id)
    assert response["Location"] == f"/rendez-vous/{new.pk}/creneaux/"
    assert (new.requested_on.isoformat(), new.due_on.isoformat()) == ("2026-12-07", "2026-12-14")  # type: ignore[union-attr]
    booked.request.refresh_from_db()
    assert booked.request.state == RequestState.POSTPONED
