"""The clock of a meeting request, computed by the clock engine from the request's events.

R is the local date of the REQUESTED event (a postponement's new request has its own); the
clock stops on the local date of the first HELD event (the meeting or session held, or the first
meeting of an accompaniment). A request that ended without being held (postponed at the client's
request, no-show, cancelled) has no outcome: it is reported apart, never as met or missed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from guichet.appointments.models import AppointmentRequest, EventKind, MeetingEvent
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import ClockEvent, Commitment, CommitmentUnit
from guichet.clock import ExplainedDay, engine

# The events of the catalogue that a held meeting stops.
HELD_EVENTS = (
    ClockEvent.MEETING_HELD,
    ClockEvent.SESSION_HELD,
    ClockEvent.ACCOMPANIMENT_STARTED,
)


def commitment_for(service_code: str, on: date) -> Commitment | None:
    """The business-day commitment of a meeting service in force on `on`."""
    return (
        Commitment.objects.filter(
            Q(in_force_to__isnull=True) | Q(in_force_to__gte=on),
            service__code=service_code,
            unit=CommitmentUnit.BUSINESS_DAYS,
            stops_on__in=HELD_EVENTS,
            in_force_from__lte=on,
            service__declaration__in_force_from__lte=on,
        )
        .filter(
            Q(service__declaration__in_force_to__isnull=True)
            | Q(service__declaration__in_force_to__gte=on)
        )
        .order_by("-service__declaration__in_force_from")
        .first()
    )


@dataclass(frozen=True)
class MeetingClock:
    requested_on: date
    target: int
    due_on: date
    held_on: date | None
    elapsed: int
    met: bool | None  # None while running, or when it ended without outcome
    days: list[ExplainedDay]


def due_date(requested_on: date, target: int) -> date:
    due = engine.due_date(business_calendar(), requested_on, target)
    assert due is not None  # noqa: S101 (no suspension, so always a date)
    return due


def clock_of(
    request: AppointmentRequest, as_of: date, events: Iterable[MeetingEvent] = ()
) -> MeetingClock | None:
    """The request's clock as of `as_of`, from its events; None for a service with no
    commitment."""
    if request.commitment is None:
        return None
    evts = list(events) or list(request.events.order_by("at", "pk"))
    received = next((e.on for e in evts if e.kind == EventKind.REQUESTED), request.requested_on)
    held = next((e.on for e in evts if e.kind == EventKind.HELD), None)
    cal = business_calendar()
    target = request.commitment.target
    last = held or as_of
    counted = engine.elapsed(cal, received, last)
    return MeetingClock(
        requested_on=received,
        target=target,
        due_on=due_date(received, target),
        held_on=held,
        elapsed=counted,
        met=None if held is None else counted <= target,
        # Day by day from R to the day it stopped (or today), past the due date when late.
        days=[
            d
            for d in engine.explain(cal, received, max(target, counted), last)
            if d.day <= max(last, received)
        ],
    )
