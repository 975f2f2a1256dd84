"""Requests, bookings, postponements, cancellations and the waiting list, through the services."""

from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from guichet.append_only import AppendOnlyError
from guichet.appointments import services
from guichet.appointments.clocks import clock_of
from guichet.appointments.models import (
    AppointmentRequest,
    BookingState,
    EventKind,
    RequestState,
    Schedule,
    Slot,
    SlotKind,
    WaitingState,
)
from guichet.appointments.selectors import offered_slots
from guichet.appointments.tasks import send_confirmation, send_reminders
from guichet.appointments.tests.conftest import (
    SERVICES,
    Offices,
    local,
    meeting_slot,
    session_slot,
)
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
D = date.fromisoformat
NOW = "2026-12-04 10:00 -05:00"  # a Friday


def ask(personas: Personas, offices: Offices, code: str = SERVICES[0]) -> AppointmentRequest:
    return services.request_create(
        client=personas.owner, service_code=code, office=offices.montreal, actor=personas.owner
    )


@time_machine.travel(NOW, tick=False)
def test_a_request_starts_the_clock_and_its_due_date(personas: Personas, offices: Offices) -> None:
    request = ask(personas, offices)
    assert request.requested_on == D("2026-12-04")
    # 5 business days from Friday Dec 4: Mon 7 … Fri 11.
    assert request.due_on == D("2026-12-11")
    assert request.commitment is not None and request.commitment.code == (
        "siq-rencontre-individuelle-delai"
    )
    session = ask(personas, offices, SERVICES[2])
    # 15 business days: Dec 7–11, 14–18, 21–23, (24, 25, 28 closed) 29, 30 → due Dec 30.
    assert session.due_on == D("2026-12-30")
    assert [e.kind for e in request.events.all()] == [EventKind.REQUESTED]


@time_machine.travel(NOW, tick=False)
def test_booking_then_holding_stops_the_clock(personas: Personas, offices: Offices) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    booking = services.booking_create(request=request, slot=slot, actor=personas.owner)
    slot.refresh_from_db()
    assert (slot.booked, booking.state) == (1, BookingState.BOOKED)
    with time_machine.travel(local("2026-12-09 08:55"), tick=False):
        services.booking_check_in(booking=booking, actor=personas.agent)
    with time_machine.travel(local("2026-12-09 09:04"), tick=False):
        services.booking_start(booking=booking, actor=personas.agent)
    with time_machine.travel(local("2026-12-09 09:40"), tick=False):
        services.booking_hold(booking=booking, actor=personas.agent)
    request.refresh_from_db()
    assert (request.state, request.held_on) == (RequestState.HELD, D("2026-12-09"))
    clock = clock_of(request, D("2026-12-20"))
    assert clock is not None
    assert (clock.elapsed, clock.met, clock.due_on) == (3, True, D("2026-12-11"))
    assert [d.day for d in clock.days if d.counted] == [
        D("2026-12-07"),
        D("2026-12-08"),
        D("2026-12-09"),
    ]
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["requested", "booked", "checked_in", "started", "held"]
    with pytest.raises(AppendOnlyError):
        request.events.first().delete()  # type: ignore[union-attr]


@time_machine.travel(NOW, tick=False)
def test_a_full_slot_is_refused_and_nothing_changes(personas: Personas, offices: Offices) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    services.booking_create(request=ask(personas, offices), slot=slot, actor=personas.owner)
    other = services.request_create(
        client=personas.other_client,
        service_code=SERVICES[0],
        office=offices.montreal,
        actor=personas.other_client,
    )
    with pytest.raises(services.BookingError, match="complet"):
        services.booking_create(request=other, slot=slot, actor=personas.other_client)
    slot.refresh_from_db()
    other.refresh_from_db()
    assert (slot.booked, other.state, other.bookings.count()) == (1, RequestState.OPEN, 0)


def booking_state(request: AppointmentRequest, slot: Slot) -> tuple[str, int, int, int]:
    """What a refused booking must leave as it was: the request's state, the slot's count, the
    request's bookings and the confirmations queued."""
    request.refresh_from_db()
    slot.refresh_from_db()
    return (request.state, slot.booked, request.bookings.count(), DBTaskResult.objects.count())


@time_machine.travel(NOW, tick=False)
def test_a_booking_queues_its_confirmation_in_its_transaction(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    booking = services.booking_create(request=request, slot=slot, actor=personas.owner)
    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.args_kwargs) == (
        "guichet.appointments.tasks.send_confirmation",
        {"args": [booking.pk], "kwargs": {}},
    )
    assert booking_state(request, slot) == (RequestState.BOOKED, 1, 1, 1)
    assert (booking.request.state, booking.slot_id) == (RequestState.BOOKED, slot.pk)


@time_machine.travel(NOW, tick=False)
def test_staff_of_the_office_book_for_the_client_and_others_are_refused(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    for stranger in (personas.other_agent, personas.other_client):
        with pytest.raises(services.AppointmentError, match="personnel de ce bureau"):
            services.booking_create(request=request, slot=slot, actor=stranger)
        assert booking_state(request, slot) == (RequestState.OPEN, 0, 0, 0)
    booking = services.booking_create(request=request, slot=slot, actor=personas.agent)
    assert booking_state(request, slot) == (RequestState.BOOKED, 1, 1, 1)
    assert request.events.get(kind=EventKind.BOOKED).actor == personas.agent
    assert booking.state == BookingState.BOOKED


@time_machine.travel(NOW, tick=False)
def test_a_request_booked_or_ended_is_not_booked_again(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    later = meeting_slot(offices.montreal, personas.agent, "2026-12-10 09:00")
    request = ask(personas, offices)
    services.booking_create(request=request, slot=slot, actor=personas.owner)
    before = booking_state(request, later)
    with pytest.raises(services.BookingError, match="déjà fixé"):
        services.booking_create(request=request, slot=later, actor=personas.owner)
    assert booking_state(request, later) == before == (RequestState.BOOKED, 0, 1, 1)
    # A request marked open that still has a live booking: the database's constraint refuses.
    AppointmentRequest.objects.filter(pk=request.pk).update(state=RequestState.OPEN)
    with pytest.raises(services.BookingError, match="déjà fixé"):
        services.booking_create(request=request, slot=later, actor=personas.owner)
    assert booking_state(request, later) == (RequestState.OPEN, 0, 1, 1)
    AppointmentRequest.objects.filter(pk=request.pk).update(state=RequestState.CANCELLED)
    with pytest.raises(services.BookingError, match="terminée"):
        services.booking_create(request=request, slot=later, actor=personas.owner)
    assert booking_state(request, later) == (RequestState.CANCELLED, 0, 1, 1)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("service", "autre service"),
        ("cancelled", "annulé"),
        ("past", "passé"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_slot_of_another_service_cancelled_or_past_is_refused(
    personas: Personas, offices: Offices, spoil: str, message: str
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    if spoil == "service":
        Slot.objects.filter(pk=slot.pk).update(service_code=SERVICES[1])
    elif spoil == "cancelled":
        Slot.objects.filter(pk=slot.pk).update(cancelled_at=local("2026-12-04 09:00"))
    else:
        Slot.objects.filter(pk=slot.pk).update(
            starts_at=local("2026-12-04 09:00"), ends_at=local("2026-12-04 09:45")
        )
    with pytest.raises(services.BookingError, match=message):
        services.booking_create(request=request, slot=slot, actor=personas.owner)
    assert booking_state(request, slot) == (RequestState.OPEN, 0, 0, 0)


@time_machine.travel(NOW, tick=False)
def test_a_closure_day_never_gets_a_slot(personas: Personas, offices: Offices) -> None:
    with pytest.raises(services.AppointmentError, match="pas un jour ouvrable"):
        meeting_slot(offices.montreal, personas.agent, "2026-12-24 09:00")
    assert Slot.objects.count() == 0


@time_machine.travel("2027-02-26 10:00 -05:00", tick=False)
def test_a_recurring_schedule_keeps_local_time_across_dst_and_skips_closures(
    personas: Personas, offices: Offices
) -> None:
    # Every Monday 9:00 for 12 weeks from March 1, 2027: DST starts March 14; Easter Monday
    # (March 29) is a closure day; April 12 is an exception.
    schedule = Schedule.objects.create(
        office=offices.montreal,
        service_code=SERVICES[0],
        kind=SlotKind.MEETING,
        agent=personas.agent,
        weekday=0,
        start_time=time(9, 0),
        duration_minutes=45,
        first_day=D("2027-03-01"),
        weeks=12,
    )
    schedule.exceptions.create(day=D("2027-04-12"), reason="Formation")
    made = services.schedule_generate(schedule=schedule, actor=personas.supervisor)
    days = [s.local_start.date() for s in made]
    assert D("2027-03-29") not in days and D("2027-04-12") not in days
    assert len(days) == 10
    assert {s.local_start.time() for s in made} == {time(9, 0)}
    assert made[0].starts_at.hour == 14 and made[2].starts_at.hour == 13  # UTC: EST, then EDT
    assert services.schedule_generate(schedule=schedule, actor=personas.supervisor) == []


@time_machine.travel(NOW, tick=False)
def test_postponing_ends_the_clock_and_starts_a_new_one(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    first = ask(personas, offices)
    services.booking_create(request=first, slot=slot, actor=personas.owner)
    with time_machine.travel(local("2026-12-08 11:00"), tick=False):
        second = services.request_postpone(request=first, actor=personas.owner)
    first.refresh_from_db()
    slot.refresh_from_db()
    assert first.state == RequestState.POSTPONED and slot.booked == 0
    assert (second.previous_id, second.requested_on, second.due_on) == (
        first.pk,
        D("2026-12-08"),
        D("2026-12-15"),
    )


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_by_the_ministry_keeps_the_clock(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    booking = services.booking_create(request=request, slot=slot, actor=personas.owner)
    services.booking_cancel(booking=booking, actor=personas.agent, by_ministry=True)
    request.refresh_from_db()
    assert (request.state, request.requested_on, request.due_on) == (
        RequestState.OPEN,
        D("2026-12-04"),
        D("2026-12-11"),
    )
    with pytest.raises(services.AppointmentError):
        services.booking_cancel(booking=booking, actor=personas.other_agent, by_ministry=True)


@time_machine.travel(NOW, tick=False)
def test_a_freed_seat_goes_to_the_first_waiting_who_is_told(
    personas: Personas, offices: Offices
) -> None:
    slot = session_slot(offices.montreal, offices.room, "2026-12-15 09:00", capacity=1)
    mine = ask(personas, offices, SERVICES[2])
    booking = services.booking_create(request=mine, slot=slot, actor=personas.owner)
    theirs = services.request_create(
        client=personas.other_client,
        service_code=SERVICES[2],
        office=offices.montreal,
        actor=personas.other_client,
    )
    entry = services.waiting_join(request=theirs, slot=slot, actor=personas.other_client)
    services.booking_cancel(booking=booking, actor=personas.owner)
    entry.refresh_from_db()
    theirs.refresh_from_db()
    slot.refresh_from_db()
    assert (entry.state, theirs.state, slot.booked) == (WaitingState.SEATED, RequestState.BOOKED, 1)
    seated = theirs.bookings.get()
    send_confirmation.call(seated.pk)
    [message] = mail.outbox
    assert message.to == ["autre@example.org"]
    assert "place s'est libérée" in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("rendez-vous.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == local("2026-12-15 09:00")


@time_machine.travel(NOW, tick=False)
def test_the_reminder_goes_two_business_days_before(personas: Personas, offices: Offices) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-08 13:00")
    services.booking_create(request=ask(personas, offices), slot=slot, actor=personas.owner)
    later = meeting_slot(offices.montreal, personas.agent, "2026-12-09 13:00")
    services.booking_create(
        request=services.request_create(
            client=personas.other_client,
            service_code=SERVICES[0],
            office=offices.montreal,
            actor=personas.other_client,
        ),
        slot=later,
        actor=personas.other_client,
    )
    # Friday Dec 4: two business days ahead is Tuesday Dec 8.
    assert send_reminders(D("2026-12-04")) == 1
    assert mail.outbox[0].to == ["proprietaire@example.org"]
    assert send_reminders(D("2026-12-04")) == 0


@time_machine.travel(NOW, tick=False)
def test_slots_that_keep_the_promise_come_first(personas: Personas, offices: Offices) -> None:
    late = meeting_slot(offices.montreal, personas.agent, "2026-12-14 09:00")
    soon = meeting_slot(offices.montreal, personas.agent, "2026-12-10 09:00")
    meeting_slot(offices.quebec, personas.other_agent, "2026-12-08 09:00")
    offers = offered_slots(ask(personas, offices))
    assert [(o.slot.pk, o.keeps_promise) for o in offers] == [(soon.pk, True), (late.pk, False)]


@time_machine.travel(NOW, tick=False)
def test_a_seat_given_back_between_the_update_and_the_lock_is_taken(
    personas: Personas, offices: Offices
) -> None:
    # booking_create's UPDATE found no free seat, then the lock shows one (freed in between):
    # the seat is taken under the lock rather than refused.
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = ask(personas, offices)
    with transaction.atomic():
        services._take_seat_or_say_why(slot.pk, request)
    slot.refresh_from_db()
    assert slot.booked == 1
    with pytest.raises(services.BookingError, match="complet"), transaction.atomic():
        services._take_seat_or_say_why(slot.pk, request)
    slot.refresh_from_db()
    assert slot.booked == 1
