"""The commitments kept at the offices, for the dashboard and the annual report
(guichet/measures.py): the 5-day first-steps meeting (individual or in a group), the 15-day
training session, the 20-day accompaniment with a professional order, and punctuality.

- A delay clock stops on the local day the meeting is held; elapsed is counted by the clock
  engine from R, the day of the request (the new request's day after a postponement).
- Punctuality: each meeting started, whose client checked in at or before the appointment time,
  is one clock in seconds from the appointment time to the start (0 when it started early); it
  met the commitment when that is within the tolerance, the commitment's target (600 s).
- Postponed, no-show and cancelled requests end without outcome: `ended_apart` counts them
  (the staff capacity page shows them), never as met or missed.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.utils import timezone

from guichet.appointments.models import AppointmentRequest, Booking, EventKind, MeetingEvent
from guichet.appointments.presentation import MEETING_SERVICES
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Commitment
from guichet.clock import engine
from guichet.measures import Stopped, register_measure

PUNCTUALITY = "siq-rencontre-ponctualite"


def _commitments() -> dict[str, list[Commitment]]:
    by_code: dict[str, list[Commitment]] = {}
    for c in Commitment.objects.filter(
        Q(service__code__in=MEETING_SERVICES, unit="business_days") | Q(code=PUNCTUALITY)
    ).order_by("in_force_from"):
        by_code.setdefault(c.code, []).append(c)
    return by_code


def _in_force(versions: list[Commitment], day: date) -> Commitment | None:
    found = None
    for c in versions:
        if c.in_force_from <= day and (c.in_force_to is None or day <= c.in_force_to):
            found = c
    return found


def _bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    low = datetime.combine(first_day, time.min, tzinfo=zone)
    high = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    return low, high


@register_measure("appointments")
def stopped(first_day: date, last_day: date) -> Stopped:
    cal = business_calendar()
    versions = _commitments()
    measured = [c.pk for cs in versions.values() for c in cs]
    commitment: list[int] = []
    stop_day: list[int] = []
    elapsed: list[int] = []
    met: list[bool] = []
    unit: list[int] = []
    held = AppointmentRequest.objects.filter(
        held_on__gte=first_day, held_on__lte=last_day, commitment__isnull=False
    ).values_list(
        "commitment_id", "commitment__target", "requested_on", "held_on", "office__unit_id"
    )
    for pk, target, requested_on, held_on, unit_id in held.iterator(chunk_size=5000):
        assert held_on is not None  # noqa: S101 (filtered)
        counted = engine.elapsed(cal, requested_on, held_on)
        commitment.append(pk)
        stop_day.append(held_on.toordinal())
        elapsed.append(counted)
        met.append(counted <= target)
        unit.append(unit_id)
    punctual = versions.get(PUNCTUALITY, [])
    if punctual:
        low, high = _bounds(first_day, last_day)
        started = Booking.objects.filter(
            started_at__gte=low,
            started_at__lt=high,
            slot__isnull=False,
            checked_in_at__lte=F("slot__starts_at"),
        ).values_list("started_at", "slot__starts_at", "request__office__unit_id")
        for started_at, starts_at, unit_id in started.iterator(chunk_size=5000):
            assert started_at is not None  # noqa: S101 (filtered)
            day = timezone.localtime(started_at).date()
            c = _in_force(punctual, day)
            if c is None:
                continue
            late = max(0, int((started_at - starts_at).total_seconds()))
            commitment.append(c.pk)
            stop_day.append(day.toordinal())
            elapsed.append(late)
            met.append(late <= c.target)
            unit.append(unit_id)
    return Stopped.of(
        commitment=commitment,
        stop_day=stop_day,
        elapsed=elapsed,
        met=met,
        unit=unit,
        measured=measured,
    )


APART = {
    EventKind.POSTPONED: "postponed",
    EventKind.NO_SHOW: "no_show",
    EventKind.CANCELLED_BY_CLIENT: "cancelled",
}


def ended_apart(
    first_day: date, last_day: date, unit_ids: list[int] | None = None
) -> dict[str, Counter[str]]:
    """Requests that ended without outcome in the period, by service code: postponed at the
    client's request, no-show, cancelled by the client. Reported apart from the results."""
    events = MeetingEvent.objects.filter(on__gte=first_day, on__lte=last_day, kind__in=list(APART))
    if unit_ids is not None:
        events = events.filter(request__office__unit_id__in=unit_ids)
    out: dict[str, Counter[str]] = {}
    for code, kind in events.values_list("request__service_code", "kind"):
        out.setdefault(code, Counter())[APART[EventKind(kind)]] += 1
    return out
