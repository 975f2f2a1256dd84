"""Demo meetings: the SIQ offices of offices/siq.toml, a year of slots (and eight weeks ahead),
and the meetings held in them, some late, some postponed, some missed, so that the 5-, 15- and
20-day commitments and punctuality have results in the current fiscal year.

History is written in bulk (the services would write an access-log entry per step, for tens of
thousands of made-up steps); the rows are those the services write, events included, so every
clock is recomputed from its events like a real one. The demo client's meeting next week is
booked through the real service.
"""

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from guichet.accounts.models import Membership, User
from guichet.appointments.clocks import commitment_for, due_date
from guichet.appointments.models import (
    AppointmentRequest,
    Booking,
    BookingState,
    EventKind,
    MeetingEvent,
    Mode,
    Office,
    RequestState,
    Slot,
    SlotKind,
)
from guichet.appointments.offices import offices_load
from guichet.appointments.services import booking_create, request_create
from guichet.catalogue.models import Commitment
from guichet.clock import BusinessCalendar
from guichet.demo.people import AGENT, SUPERVISOR

TZ = ZoneInfo("America/Toronto")
OFFICES_FILE = Path(settings.BASE_DIR) / "offices" / "siq.toml"
MEETING = "siq-rencontre-individuelle"
GROUP = "siq-seance-groupe"
TRAINING = "s-adapter-monde-travail"
ORDER = "accompagnement-ordre-professionnel"
# (service, kind, weekdays, local times, minutes, capacity)
OFFER = (
    (MEETING, SlotKind.MEETING, (0, 1, 2, 3, 4), (time(9, 0), time(10, 30), time(13, 30)), 45, 1),
    (GROUP, SlotKind.SESSION, (1,), (time(9, 0),), 120, 12),
    (TRAINING, SlotKind.SESSION, (3,), (time(9, 0),), 180, 16),
    (ORDER, SlotKind.MEETING, (2,), (time(14, 30),), 60, 1),
)


def at(day: date, moment: time, minutes: int = 0) -> datetime:
    return datetime.combine(day, moment, tzinfo=TZ) + timedelta(minutes=minutes)


def demo_appointments(
    *, rng: random.Random, cal: BusinessCalendar, today: date, clients: list[User], client: User
) -> int:
    """Create the offices, slots and meetings; return the number of meetings held."""
    offices = offices_load(path=OFFICES_FILE)
    montreal = next(o for o in offices if o.code == "siq-montreal")
    agent = User.objects.get(email=AGENT.email)
    supervisor = User.objects.get(email=SUPERVISOR.email)
    Membership.objects.get_or_create(user=agent, unit=montreal.unit, defaults={"role": "agent"})
    Membership.objects.get_or_create(
        user=supervisor, unit=montreal.unit, defaults={"role": "supervisor"}
    )
    first, last = today - timedelta(days=365), today + timedelta(weeks=8)
    slots = _slots(offices, cal, first, last, agent, montreal)
    held = _history(rng, cal, today, slots, clients)
    _demo_client(client, montreal, today)
    return held


def _slots(
    offices: list[Office],
    cal: BusinessCalendar,
    first: date,
    last: date,
    agent: User,
    montreal: Office,
) -> list[Slot]:
    rooms = {o.pk: o.rooms.order_by("-capacity").first() for o in offices}
    rows = []
    day = first
    while day <= last:
        if cal.is_business_day(day):
            for office in offices:
                for code, kind, weekdays, times, minutes, capacity in OFFER:
                    if day.weekday() not in weekdays:
                        continue
                    for moment in times:
                        room = rooms[office.pk] if kind == SlotKind.SESSION else None
                        rows.append(
                            Slot(
                                office=office,
                                service_code=code,
                                kind=kind,
                                mode=Mode.OFFICE,
                                agent=agent
                                if office == montreal and code == MEETING and moment == time(9, 0)
                                else None,
                                room=room,
                                starts_at=at(day, moment),
                                ends_at=at(day, moment, minutes),
                                capacity=min(capacity, room.capacity) if room else capacity,
                            )
                        )
                # Information sessions abroad, online, in their audience's time zone.
                if office == montreal and day.weekday() == 2:
                    paris = ZoneInfo("Europe/Paris")
                    start = datetime.combine(day, time(17, 0), tzinfo=paris)
                    rows.append(
                        Slot(
                            office=office,
                            service_code=GROUP,
                            kind=SlotKind.SESSION,
                            mode=Mode.ONLINE,
                            starts_at=start,
                            ends_at=start + timedelta(hours=2),
                            time_zone="Europe/Paris",
                            capacity=40,
                            video_url="https://visio.example.org/siq-seance",
                        )
                    )
        day += timedelta(days=1)
    return Slot.objects.bulk_create(rows, batch_size=2000)


def _history(
    rng: random.Random,
    cal: BusinessCalendar,
    today: date,
    slots: list[Slot],
    clients: list[User],
) -> int:
    """Past slots partly filled with meetings: asked a few business days before (some too many:
    late), a few postponed first, a few missed; arrivals and starts around the time."""
    now = at(today, time(0, 0))
    commitments = {code: commitment_for(code, today) for code, *_ in OFFER}
    requests: list[AppointmentRequest] = []
    plans: list[tuple[Slot, str, int]] = []  # slot, outcome, index of the request
    for slot in slots:
        if slot.starts_at >= now or slot.mode == Mode.ONLINE:
            continue
        seats = 1 if slot.kind == SlotKind.MEETING else rng.randint(3, slot.capacity)
        if slot.kind == SlotKind.MEETING and rng.random() < 0.45:
            continue
        commitment = commitments[slot.service_code]
        target = commitment.target if commitment else 5
        day = slot.local_day
        for _seat in range(seats):
            late = rng.random() < 0.12
            back = rng.randint(target + 1, target + 4) if late else rng.randint(1, target)
            asked = cal.business_day(max(1, cal.ordinal(day) - back))
            outcome = rng.choices(["held", "postponed", "no_show"], [86, 8, 6])[0]
            who = rng.choice(clients)
            if outcome == "postponed":
                # The first request, postponed the day after; the new one is held.
                before = cal.business_day(max(1, cal.ordinal(asked) - rng.randint(1, 3)))
                requests.append(_request(slot, who, before, commitment, RequestState.POSTPONED))
                plans.append((slot, "postponed", len(requests) - 1))
            requests.append(
                _request(
                    slot,
                    who,
                    asked,
                    commitment,
                    RequestState.NO_SHOW if outcome == "no_show" else RequestState.HELD,
                    held=day if outcome != "no_show" else None,
                )
            )
            plans.append((slot, "no_show" if outcome == "no_show" else "held", len(requests) - 1))
    AppointmentRequest.objects.bulk_create(requests, batch_size=2000)
    for i, request in enumerate(requests[1:], start=1):
        if requests[i - 1].state == RequestState.POSTPONED and request.previous is None:
            request.previous = requests[i - 1]
    AppointmentRequest.objects.bulk_update(
        [r for r in requests if r.previous is not None], ["previous"], batch_size=2000
    )
    bookings: list[Booking] = []
    events: list[MeetingEvent] = []
    booked: dict[int, int] = {}
    for slot, outcome, index in plans:
        request = requests[index]
        events.append(_event(request, EventKind.REQUESTED, request.requested_at))
        if outcome == "postponed":
            events.append(
                _event(request, EventKind.POSTPONED, request.requested_at + timedelta(days=1))
            )
            continue
        booked[slot.pk] = booked.get(slot.pk, 0) + 1
        booking = Booking(request=request, slot=slot, booked_at=request.requested_at)
        bookings.append(booking)
        if outcome == "no_show":
            booking.state = BookingState.NO_SHOW
            continue
        booking.state = BookingState.HELD
        early = rng.random() < 0.9
        booking.checked_in_at = slot.starts_at + timedelta(
            minutes=-rng.randint(1, 15) if early else rng.randint(1, 10)
        )
        booking.started_at = slot.starts_at + timedelta(
            minutes=rng.choices([0, 3, 8, 12, 20], [40, 25, 20, 10, 5])[0]
        )
        booking.held_at = booking.started_at + timedelta(minutes=40)
    Booking.objects.bulk_create(bookings, batch_size=2000)
    for booking in bookings:
        request = booking.request
        events.append(_event(request, EventKind.BOOKED, booking.booked_at, booking))
        if booking.state == BookingState.NO_SHOW:
            assert booking.slot is not None  # noqa: S101
            events.append(_event(request, EventKind.NO_SHOW, booking.slot.ends_at, booking))
            continue
        assert booking.checked_in_at and booking.started_at and booking.held_at  # noqa: S101
        events.append(_event(request, EventKind.CHECKED_IN, booking.checked_in_at, booking))
        events.append(_event(request, EventKind.STARTED, booking.started_at, booking))
        events.append(_event(request, EventKind.HELD, booking.held_at, booking))
    MeetingEvent.objects.bulk_create(events, batch_size=5000)
    by_pk = {s.pk: s for s in slots}
    for pk, count in booked.items():
        by_pk[pk].booked = count
    Slot.objects.bulk_update([by_pk[pk] for pk in booked], ["booked"], batch_size=2000)
    return sum(1 for b in bookings if b.state == BookingState.HELD)


def _request(
    slot: Slot,
    who: User,
    asked: date,
    commitment: Commitment | None,
    state: RequestState,
    held: date | None = None,
) -> AppointmentRequest:
    target = commitment.target if commitment else None
    return AppointmentRequest(
        client=who,
        service_code=slot.service_code,
        commitment=commitment,
        office=slot.office,
        requested_at=at(asked, time(11, 0)),
        requested_on=asked,
        due_on=due_date(asked, target) if target else None,
        held_on=held,
        state=state,
    )


def _event(
    request: AppointmentRequest, kind: EventKind, moment: datetime, booking: Booking | None = None
) -> MeetingEvent:
    return MeetingEvent(
        request=request,
        booking=booking,
        kind=kind,
        at=moment,
        on=moment.astimezone(TZ).date(),
        details={},
    )


def _demo_client(client: User, office: Office, today: date) -> None:
    """The demo client asked for a first-steps meeting today and booked the first free slot."""
    request = request_create(client=client, service_code=MEETING, office=office, actor=client)
    slot = (
        Slot.objects.filter(
            office=office,
            service_code=MEETING,
            starts_at__gt=at(today + timedelta(days=1), time(0, 0)),
            booked=0,
        )
        .order_by("starts_at")
        .first()
    )
    if slot is not None:
        booking_create(request=request, slot=slot, actor=client)
