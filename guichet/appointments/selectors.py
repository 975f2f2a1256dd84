"""Reading meetings: one access-scoped getter per object type (404 for what the person may not
see), the slots offered to a request, the office's worklist and its capacity ahead.

Who sees what: a client sees their own requests; the members of an office's unit (agents and
supervisors, accounts.Membership) see the office's day, requests, worklist and capacity.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.models import User
from guichet.appointments.clocks import commitment_for, due_date
from guichet.appointments.models import (
    AppointmentRequest,
    Booking,
    BookingState,
    Mode,
    Office,
    RequestState,
    Slot,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.calendars.services import business_calendar


def offices_of(user: User) -> QuerySet[Office]:
    """The offices whose unit `user` belongs to (agent or supervisor)."""
    return Office.objects.filter(unit__memberships__user=user).distinct().order_by("name")


def office_get_for_staff(user: User, code: str) -> Office:
    office = offices_of(user).filter(code=code).first()
    if office is None:
        raise Http404("Bureau introuvable")
    return office


def requests_of_client(user: User) -> QuerySet[AppointmentRequest]:
    return AppointmentRequest.objects.filter(client=user).select_related("office")


def request_get_for_client(user: User, pk: int) -> AppointmentRequest:
    request = requests_of_client(user).filter(pk=pk).first()
    if request is None:
        raise Http404("Rendez-vous introuvable")
    return request


def booking_get_for_staff(user: User, pk: int, *, why: str) -> Booking:
    """A booking of one of the user's offices; the read is written to the access log."""
    booking = (
        Booking.objects.filter(pk=pk, request__office__unit__memberships__user=user)
        .select_related("request", "request__office", "slot")
        .first()
    )
    if booking is None:
        raise Http404("Rendez-vous introuvable")
    log_staff_read(user, [booking.request], why=why)
    return booking


def log_staff_read(user: User, requests: Iterable[AppointmentRequest], *, why: str) -> None:
    for request in requests:
        access_log_record(
            action=AccessAction.READ,
            subject_kind=SubjectKind.APPOINTMENT,
            subject_id=request.pk,
            subject_number=request.number,
            person=request.client_id,
            actor=user,
            why=why,
        )


def live_booking(request: AppointmentRequest) -> Booking | None:
    return (
        request.bookings.filter(state__in=[BookingState.BOOKED, BookingState.HELD])
        .select_related("slot", "slot__room")
        .first()
    )


# --- Slots offered to a client ---------------------------------------------------------------


def _end_of_local_day(day: date) -> datetime:
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )


@dataclass(frozen=True)
class Offer:
    slot: Slot
    keeps_promise: bool


def _offerable(request: AppointmentRequest) -> QuerySet[Slot]:
    qs = Slot.objects.filter(
        service_code=request.service_code,
        cancelled_at__isnull=True,
        starts_at__gt=timezone.now(),
        mode=request.mode,
    ).select_related("office", "room")
    if request.mode == Mode.OFFICE:
        qs = qs.filter(office_id=request.office_id)
    if request.accessible_room:
        qs = qs.exclude(room__accessible=False).exclude(office__accessible=False)
    return qs


def slot_offered_to(request: AppointmentRequest, pk: int) -> Slot:
    """One slot that `offered_slots` could list for `request` (full or not); 404 otherwise."""
    slot = _offerable(request).filter(pk=pk).first()
    if slot is None:
        raise Http404("Créneau introuvable")
    return slot


def offered_slots(request: AppointmentRequest, *, limit: int = 10) -> list[Offer]:
    """The next free slots for `request`, those that keep the promise (held at the latest on
    the due date) first, then the later ones; full sessions are listed too (waiting list).
    At the office chosen, or online anywhere; an accessible room when it was asked for."""
    qs = _offerable(request)
    due = request.due_on
    if due is None:
        return [Offer(s, False) for s in qs.order_by("starts_at", "pk")[:limit]]
    limit_at = _end_of_local_day(due)
    within = list(qs.filter(starts_at__lt=limit_at).order_by(F("booked").asc(), "starts_at", "pk"))
    within = sorted(within, key=lambda s: (s.is_full, s.starts_at, s.pk))[:limit]
    later = list(
        qs.filter(starts_at__gte=limit_at, booked__lt=F("capacity")).order_by("starts_at", "pk")[
            : max(0, limit - len(within))
        ]
    )
    return [Offer(s, True) for s in within] + [Offer(s, False) for s in later]


# --- Staff: the day, the worklist, the capacity ahead ---------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return datetime.combine(day, time.min, tzinfo=zone), _end_of_local_day(day)


def bookings_of_day(office: Office, day: date) -> list[Booking]:
    """The office's bookings of a local day (by slot time), and the walk-ins of that day."""
    low, high = day_bounds(day)
    booked = list(
        Booking.objects.filter(
            slot__office=office, slot__starts_at__gte=low, slot__starts_at__lt=high
        )
        .exclude(state__in=[BookingState.CANCELLED, BookingState.POSTPONED])
        .select_related("slot", "slot__room", "request", "request__client")
        .order_by("slot__starts_at", "pk")
    )
    walk_ins = list(
        Booking.objects.filter(
            slot__isnull=True,
            request__office=office,
            checked_in_at__gte=low,
            checked_in_at__lt=high,
        )
        .select_related("request", "request__client")
        .order_by("checked_in_at", "pk")
    )
    return booked + walk_ins


@dataclass(frozen=True)
class WorkItem:
    request: AppointmentRequest
    slot: Slot | None
    cannot_be_met: bool  # no slot offered up to the due date can hold it


def worklist(office: Office, today: date) -> list[WorkItem]:
    """The office's requests still to hold, by due date. A request is flagged when no slot
    keeps its promise: booked after its due date, or open with no free seat up to it."""
    requests = list(
        AppointmentRequest.objects.filter(
            office=office, state__in=[RequestState.OPEN, RequestState.BOOKED]
        )
        .select_related("client")
        .order_by(F("due_on").asc(nulls_last=True), "requested_at", "pk")
    )
    live = {
        b.request_id: b
        for b in Booking.objects.filter(
            request__in=requests, state=BookingState.BOOKED
        ).select_related("slot")
    }
    now = timezone.now()
    free = list(
        Slot.objects.filter(
            office=office, cancelled_at__isnull=True, starts_at__gt=now, booked__lt=F("capacity")
        ).values_list("service_code", "mode", "starts_at")
    )
    items = []
    for r in requests:
        booking = live.get(r.pk)
        slot = booking.slot if booking else None
        if r.due_on is None:
            flagged = False
        elif slot is not None:
            flagged = timezone.localtime(slot.starts_at).date() > r.due_on
        elif booking is not None:  # a walk-in being seen
            flagged = False
        else:
            limit = _end_of_local_day(r.due_on)
            flagged = not any(
                code == r.service_code and mode == r.mode and at < limit for code, mode, at in free
            )
        items.append(WorkItem(r, slot, flagged))
    return items


@dataclass(frozen=True)
class WeekCapacity:
    first_day: date
    expected: float  # requests expected, from the last 8 weeks
    offered: int  # free seats offered that week


@dataclass(frozen=True)
class Capacity:
    service_code: str
    weeks: list[WeekCapacity]
    breaks_on: date | None  # the first day the promise would break


def capacity_ahead(office: Office, today: date, service_codes: Iterable[str]) -> list[Capacity]:
    """For each service and the next 4 weeks: requests expected (the mean of the last 8 weeks)
    against the free seats offered, and the first day the promise would break.

    The break day comes from a day-by-day simulation on business days: the office's open
    requests and the expected ones (the daily mean of the last 8 weeks) each take the earliest
    free seat, earliest due date first; the first due date that passes without a seat is the
    day the promise breaks. None: it holds for the 4 weeks."""
    cal = business_calendar()
    start_of_history = today - timedelta(weeks=8)
    result = []
    horizon = [today + timedelta(days=i) for i in range(1, 29)]
    business = [d for d in horizon if cal.is_business_day(d)]
    low, high = day_bounds(today + timedelta(days=1))[0], _end_of_local_day(horizon[-1])
    for code in service_codes:
        history = AppointmentRequest.objects.filter(
            office=office,
            service_code=code,
            requested_on__gt=start_of_history,
            requested_on__lte=today,
            previous__isnull=True,
        ).count()
        per_week = history / 8
        history_days = sum(1 for i in range(56) if cal.is_business_day(today - timedelta(days=i)))
        per_day = history / history_days if history_days else 0.0
        seats: dict[date, int] = {}
        for starts_at, capacity, booked in Slot.objects.filter(
            office=office,
            service_code=code,
            cancelled_at__isnull=True,
            starts_at__gte=low,
            starts_at__lt=high,
        ).values_list("starts_at", "capacity", "booked"):
            day = timezone.localtime(starts_at).date()
            seats[day] = seats.get(day, 0) + capacity - booked
        weeks = []
        for w in range(4):
            first = today + timedelta(days=1 + 7 * w)
            days = [first + timedelta(days=i) for i in range(7)]
            weeks.append(
                WeekCapacity(first, round(per_week, 1), sum(seats.get(d, 0) for d in days))
            )
        commitment_target = _target(code)
        backlog = list(
            AppointmentRequest.objects.filter(
                office=office, service_code=code, state=RequestState.OPEN, due_on__isnull=False
            ).values_list("due_on", flat=True)
        )
        backlog_days = [d for d in backlog if d is not None]
        result.append(
            Capacity(
                code, weeks, _first_break(business, seats, backlog_days, per_day, commitment_target)
            )
        )
    return result


def _target(code: str) -> int | None:
    c = commitment_for(code, timezone.localdate())
    return c.target if c else None


def _first_break(
    business: list[date],
    seats: dict[date, int],
    backlog: list[date],
    per_day: float,
    target: int | None,
) -> date | None:
    if target is None:
        return None
    waiting = sorted(backlog)  # due dates of those without a seat
    arrived = 0.0
    for day in business:
        arrived += per_day
        while arrived >= 1:
            arrived -= 1
            waiting.append(due_date(day, target))
        waiting.sort()
        free = seats.get(day, 0)
        while free and waiting:
            waiting.pop(0)
            free -= 1
        if waiting and waiting[0] <= day:
            return day
    return None
