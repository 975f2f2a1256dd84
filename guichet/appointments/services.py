"""Every state change of meetings and sessions: one typed, atomic function each.

Each writes the request's event (`MeetingEvent`, append-only) and an access-log entry. Booking is
`booking_create` and nothing else: one conditional UPDATE of the slot's row checks the seat,
counts it and locks the row until the commit, under the database's CHECK (booked <= capacity);
50 people taking the last seat at once get one booking and 49 `BookingError`s
(tests/test_concurrency.py).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

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
    Schedule,
    Slot,
    SlotKind,
    WaitingEntry,
    WaitingState,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.calendars.services import business_calendar

UTC = ZoneInfo("UTC")


class AppointmentError(Exception):
    """The action is refused; the message says why, in the person's language, and nothing
    changed."""


class BookingError(AppointmentError):
    """The seat could not be taken (full, past, cancelled): nothing was booked."""


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def _event(
    request: AppointmentRequest,
    kind: EventKind,
    actor: User | None,
    *,
    booking: Booking | None = None,
    at: datetime | None = None,
    **details: object,
) -> MeetingEvent:
    moment = at or timezone.now()
    event = MeetingEvent.objects.create(
        request=request,
        booking=booking,
        kind=kind,
        at=moment,
        on=local_day(moment),
        actor=actor,
        details=details,
    )
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.APPOINTMENT,
        subject_id=request.pk,
        subject_number=request.number,
        person=request.client_id,
        actor=actor,
        actor_label="" if actor else "système",
        why=f"rendez-vous : {kind}",
    )
    return event


def is_office_staff(user: User, office: Office) -> bool:
    return Membership.objects.filter(user=user, unit_id=office.unit_id).exists()


def _require_staff(user: User, office: Office) -> None:
    if not is_office_staff(user, office):
        raise AppointmentError(_("Vous n'êtes pas membre du personnel de ce bureau."))


def _require_client(user: User, request: AppointmentRequest) -> None:
    if request.client_id is None or request.client_id != user.pk:
        raise AppointmentError(_("Seule la personne qui a demandé ce rendez-vous peut le faire."))


# --- Offer: slots and recurring schedules ---------------------------------------------------


def _refuse_closed(day: date) -> None:
    if not business_calendar().is_business_day(day):
        raise AppointmentError(
            _("Le %(day)s n'est pas un jour ouvrable : aucun créneau ce jour-là.")
            % {"day": day.isoformat()}
        )


@transaction.atomic
def slot_publish(
    *,
    office: Office,
    service_code: str,
    kind: SlotKind,
    starts_at: datetime,
    minutes: int,
    actor: User | None,
    agent: User | None = None,
    room_id: int | None = None,
    capacity: int = 1,
    language: str = "fr",
    mode: Mode = Mode.OFFICE,
    time_zone: str | None = None,
    video_url: str = "",
    schedule: Schedule | None = None,
) -> Slot:
    """Offer one slot. Never on a closure day (nor a weekend) of the office's calendar."""
    zone = time_zone or office.time_zone
    _refuse_closed(starts_at.astimezone(ZoneInfo(zone)).date())
    if kind == SlotKind.MEETING:
        capacity = 1
    return Slot.objects.create(
        office=office,
        service_code=service_code,
        kind=kind,
        mode=mode,
        agent=agent,
        room_id=room_id,
        starts_at=starts_at.astimezone(UTC),
        ends_at=(starts_at + timedelta(minutes=minutes)).astimezone(UTC),
        time_zone=zone,
        capacity=capacity,
        language=language,
        video_url=video_url,
        schedule=schedule,
    )


def schedule_days(schedule: Schedule) -> list[date]:
    """The local days a schedule gives a slot: its weekday for `weeks` weeks, less its
    exceptions and every day that is not a business day."""
    cal = business_calendar()
    skipped = set(schedule.exceptions.values_list("day", flat=True))
    first = schedule.first_day + timedelta(
        days=(schedule.weekday - schedule.first_day.weekday()) % 7
    )
    days = (first + timedelta(weeks=w) for w in range(schedule.weeks))
    return [d for d in days if d not in skipped and cal.is_business_day(d)]


@transaction.atomic
def schedule_generate(*, schedule: Schedule, actor: User | None) -> list[Slot]:
    """Create the slots of a recurring schedule (again: only those missing). The local time is
    kept across daylight-saving changes: 9:00 in Montréal is 14:00 UTC in winter, 13:00 in
    summer."""
    zone = ZoneInfo(schedule.time_zone)
    existing = set(schedule.slots.values_list("starts_at", flat=True))
    made = []
    for day in schedule_days(schedule):
        start = datetime.combine(day, schedule.start_time, tzinfo=zone)
        if start.astimezone(UTC) in existing:
            continue
        made.append(
            slot_publish(
                office=schedule.office,
                service_code=schedule.service_code,
                kind=SlotKind(schedule.kind),
                starts_at=start,
                minutes=schedule.duration_minutes,
                actor=actor,
                agent=schedule.agent,
                room_id=schedule.room_id,
                capacity=schedule.capacity,
                language=schedule.language,
                mode=Mode(schedule.mode),
                time_zone=schedule.time_zone,
                video_url=schedule.video_url,
                schedule=schedule,
            )
        )
    return made


# --- Requests and bookings ------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    client: User,
    service_code: str,
    office: Office,
    actor: User,
    mode: Mode = Mode.OFFICE,
    interpreter_language: str = "",
    sign_language: bool = False,
    accessible_room: bool = False,
    child_care: bool = False,
    previous: AppointmentRequest | None = None,
) -> AppointmentRequest:
    """A client asks for a meeting or a session: the day of the request is R, the clock's
    day 0 (DOMAIN.md)."""
    if service_code not in office.services:
        raise AppointmentError(_("Ce bureau n'offre pas ce service."))
    now = timezone.now()
    today = local_day(now)
    commitment = commitment_for(service_code, today)
    request = AppointmentRequest.objects.create(
        client=client,
        service_code=service_code,
        commitment=commitment,
        office=office,
        mode=mode,
        interpreter_language=interpreter_language,
        sign_language=sign_language,
        accessible_room=accessible_room,
        child_care=child_care,
        requested_at=now,
        requested_on=today,
        due_on=due_date(today, commitment.target) if commitment else None,
        previous=previous,
    )
    _event(
        request,
        EventKind.REQUESTED,
        actor,
        at=now,
        postponed_from=previous.pk if previous else None,
    )
    return request


@transaction.atomic
def booking_create(*, request: AppointmentRequest, slot: Slot, actor: User) -> Booking:
    """Take one seat of `slot` for `request`: the only way a seat is taken.

    The seat is counted by one conditional UPDATE of the slot's row (free seat, not cancelled,
    not past, the request's service), which locks that row until the commit: of people taking
    the last seat at once, the first gets it and the others' UPDATE, which waited for the lock,
    finds the seat gone. The database refuses `booked > capacity` and a second live booking of
    a request whatever happens. A full, past or cancelled slot, one of another service, or a
    request that is no longer open raises BookingError and nothing changes. `slot` is not read
    again: its `booked` stays what the caller read."""
    locked = _take_request(request, actor)
    if not Slot.objects.filter(
        pk=slot.pk,
        service_code=locked.service_code,
        cancelled_at__isnull=True,
        starts_at__gt=timezone.now(),
        booked__lt=F("capacity"),
    ).update(booked=F("booked") + 1):
        _take_seat_or_say_why(slot.pk, locked)
    try:
        # No savepoint of its own: a refusal rolls the whole booking back anyway.
        with transaction.atomic(savepoint=False):
            booking = Booking.objects.create(request=locked, slot=slot)
    except IntegrityError as exc:  # one live booking per request: the lock made it so already
        raise BookingError(_("Un rendez-vous est déjà fixé pour cette demande.")) from exc
    locked.state = RequestState.BOOKED
    _event(locked, EventKind.BOOKED, actor, booking=booking, slot=slot.pk)
    _queue_confirmation(booking)
    return booking


def _take_request(request: AppointmentRequest, actor: User) -> AppointmentRequest:
    """Mark `request` booked, its row locked until the commit; the request to book, or
    BookingError saying why it cannot be.

    Its client, the usual case, costs one UPDATE that also checks that the request is still
    theirs and open. Otherwise (staff, or a request that is not open any more) the row is
    locked and read again, to check who acts and to say why."""
    if request.client_id is not None and request.client_id == actor.pk:
        if AppointmentRequest.objects.filter(
            pk=request.pk, client_id=actor.pk, state=RequestState.OPEN
        ).update(state=RequestState.BOOKED):
            return request
    locked = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    _require_client_or_staff(actor, locked)
    if not locked.is_active:
        raise BookingError(_("Cette demande est terminée : faites une nouvelle demande."))
    if locked.state == RequestState.BOOKED or (
        locked.bookings.filter(state=BookingState.BOOKED).exists()
    ):
        raise BookingError(_("Un rendez-vous est déjà fixé pour cette demande."))
    locked.state = RequestState.BOOKED
    locked.save(update_fields=["state"])
    return locked


def _take_seat_or_say_why(slot_pk: int, request: AppointmentRequest) -> None:
    """The conditional UPDATE took no seat: lock the slot and say why; if nothing is wrong any
    more (a seat was given back in between), take it under the lock."""
    locked = Slot.objects.select_for_update().get(pk=slot_pk)
    if locked.service_code != request.service_code:
        raise BookingError(_("Ce créneau est celui d'un autre service."))
    if locked.cancelled_at is not None:
        raise BookingError(_("Ce créneau a été annulé : choisissez-en un autre."))
    if locked.starts_at <= timezone.now():
        raise BookingError(_("Ce créneau est passé : choisissez-en un autre."))
    if locked.booked >= locked.capacity:
        raise BookingError(
            _(
                "Cette place vient d'être prise par quelqu'un d'autre : le créneau est complet. "
                "Choisissez un autre créneau ou inscrivez-vous sur la liste d'attente."
            )
        )
    try:
        with transaction.atomic(savepoint=False):
            Slot.objects.filter(pk=slot_pk).update(booked=F("booked") + 1)
    except IntegrityError as exc:  # the CHECK: nothing could get past the lock, but if it did
        raise BookingError(_("Ce créneau est complet.")) from exc


def _require_client_or_staff(actor: User, request: AppointmentRequest) -> None:
    if request.client_id == actor.pk:
        return
    _require_staff(actor, request.office)


def _queue_confirmation(booking: Booking) -> None:
    """Queue the confirmation IN the booking's transaction (as dossiers queue their letters'
    notices, docs/reliability.md): the task's row commits with the booking or not at all, so a
    crash right after the commit cannot lose the e-mail, and the worker never sees the task
    before the booking exists."""
    from guichet.appointments.tasks import send_confirmation

    send_confirmation.enqueue(booking.pk)


def _release_seat(slot: Slot, actor: User | None) -> Booking | None:
    """Give back a seat of `slot` (locked by the caller) and hand it to the first person
    waiting whose request still needs one; they are told by e-mail."""
    Slot.objects.filter(pk=slot.pk).update(booked=F("booked") - 1)
    for entry in (
        WaitingEntry.objects.select_for_update()
        .filter(slot=slot, state=WaitingState.WAITING)
        .select_related("request")
        .order_by("joined_at", "pk")
    ):
        waiting = entry.request
        entry.state = WaitingState.SEATED if waiting.is_active else WaitingState.LEFT
        if waiting.is_active and waiting.bookings.filter(state=BookingState.BOOKED).exists():
            entry.state = WaitingState.LEFT
        entry.save(update_fields=["state"])
        if entry.state == WaitingState.LEFT:
            continue
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
        booking = Booking.objects.create(request=waiting, slot=slot)
        waiting.state = RequestState.BOOKED
        waiting.save(update_fields=["state"])
        _event(waiting, EventKind.SEATED_FROM_WAITING, actor, booking=booking, slot=slot.pk)
        _queue_confirmation(booking)
        return booking
    return None


def _lock_booking(booking: Booking) -> tuple[Booking, Slot | None]:
    locked = (Booking.objects.select_for_update().select_related("request", "request__office")).get(
        pk=booking.pk
    )
    slot = Slot.objects.select_for_update().get(pk=locked.slot_id) if locked.slot_id else None
    return locked, slot


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User, by_ministry: bool = False) -> Booking:
    """Cancel a booking. By the client: the request ends (no outcome). By the ministry: the
    request stays open and its clock keeps running (DOMAIN.md): offer another slot."""
    locked, slot = _lock_booking(booking)
    request = locked.request
    if by_ministry:
        _require_staff(actor, request.office)
    else:
        _require_client(actor, request)
    if locked.state != BookingState.BOOKED:
        raise AppointmentError(_("Ce rendez-vous n'est plus à venir."))
    if slot is not None and slot.starts_at <= timezone.now() and not by_ministry:
        raise AppointmentError(_("Ce rendez-vous est commencé ou passé."))
    locked.state = BookingState.CANCELLED
    locked.save(update_fields=["state"])
    request.state = RequestState.OPEN if by_ministry else RequestState.CANCELLED
    request.save(update_fields=["state"])
    kind = EventKind.CANCELLED_BY_MINISTRY if by_ministry else EventKind.CANCELLED_BY_CLIENT
    _event(request, kind, actor, booking=locked)
    if slot is not None:
        _release_seat(slot, actor)
    return locked


@transaction.atomic
def request_postpone(*, request: AppointmentRequest, actor: User) -> AppointmentRequest:
    """The client postpones: the request ends without outcome (reported apart), its seat is
    freed, and a new request starts a new clock from today (DOMAIN.md)."""
    locked = AppointmentRequest.objects.select_for_update().get(pk=request.pk)
    _require_client(actor, locked)
    if not locked.is_active:
        raise AppointmentError(_("Ce rendez-vous ne peut plus être reporté."))
    live = locked.bookings.filter(state=BookingState.BOOKED).first()
    if live is not None:
        booking, slot = _lock_booking(live)
        booking.state = BookingState.POSTPONED
        booking.save(update_fields=["state"])
    locked.state = RequestState.POSTPONED
    locked.save(update_fields=["state"])
    _event(locked, EventKind.POSTPONED, actor, booking=live)
    if live is not None and slot is not None:
        _release_seat(slot, actor)
    return request_create(
        client=actor,
        service_code=locked.service_code,
        office=locked.office,
        actor=actor,
        mode=Mode(locked.mode),
        interpreter_language=locked.interpreter_language,
        sign_language=locked.sign_language,
        accessible_room=locked.accessible_room,
        child_care=locked.child_care,
        previous=locked,
    )


@transaction.atomic
def waiting_join(*, request: AppointmentRequest, slot: Slot, actor: User) -> WaitingEntry:
    """Join a full session's waiting list (the seat freed first goes to the first waiting)."""
    locked = Slot.objects.select_for_update().get(pk=slot.pk)
    _require_client(actor, request)
    if not request.is_active or locked.service_code != request.service_code:
        raise AppointmentError(_("Cette liste d'attente n'est pas pour cette demande."))
    if not locked.is_full:
        raise AppointmentError(_("Il reste des places : réservez-en une."))
    entry, _created = WaitingEntry.objects.get_or_create(
        slot=locked, request=request, state=WaitingState.WAITING
    )
    _event(request, EventKind.WAITLISTED, actor, slot=locked.pk)
    return entry


# --- At the office -------------------------------------------------------------------------


def _office_step(
    booking: Booking,
    actor: User,
    *,
    kind: EventKind,
    field: str | None,
    at: datetime | None,
) -> Booking:
    locked, _slot = _lock_booking(booking)
    request = locked.request
    _require_staff(actor, request.office)
    if locked.state != BookingState.BOOKED:
        raise AppointmentError(_("Ce rendez-vous n'est plus à venir."))
    moment = at or timezone.now()
    if field is not None:
        if getattr(locked, field) is not None:
            raise AppointmentError(_("C'est déjà inscrit."))
        setattr(locked, field, moment)
    changed = [field] if field else []
    if kind == EventKind.STARTED and locked.checked_in_at is None:
        raise AppointmentError(_("Inscrivez d'abord l'arrivée."))
    if kind == EventKind.HELD:
        if locked.started_at is None:
            locked.started_at = moment
            changed.append("started_at")
        locked.state = BookingState.HELD
        request.state = RequestState.HELD
        request.held_on = local_day(moment)
        request.save(update_fields=["state", "held_on"])
        changed.append("state")
    if kind == EventKind.NO_SHOW:
        if locked.checked_in_at is not None:
            raise AppointmentError(_("La personne est arrivée : ce n'est pas une absence."))
        locked.state = BookingState.NO_SHOW
        request.state = RequestState.NO_SHOW
        request.save(update_fields=["state"])
        changed.append("state")
    locked.save(update_fields=changed)
    _event(request, kind, actor, booking=locked, at=moment)
    return locked


@transaction.atomic
def booking_check_in(*, booking: Booking, actor: User, at: datetime | None = None) -> Booking:
    """The client arrived at the office (the time is recorded)."""
    return _office_step(booking, actor, kind=EventKind.CHECKED_IN, field="checked_in_at", at=at)


@transaction.atomic
def booking_start(*, booking: Booking, actor: User, at: datetime | None = None) -> Booking:
    """The meeting started: the punctuality measure compares this time with the slot's."""
    return _office_step(booking, actor, kind=EventKind.STARTED, field="started_at", at=at)


@transaction.atomic
def booking_hold(*, booking: Booking, actor: User, at: datetime | None = None) -> Booking:
    """The meeting was held: the request's clock stops on this local day."""
    return _office_step(booking, actor, kind=EventKind.HELD, field="held_at", at=at)


@transaction.atomic
def booking_no_show(*, booking: Booking, actor: User, at: datetime | None = None) -> Booking:
    """The client did not come: the clock ends without outcome (reported apart)."""
    # The seat is not given back: the time has passed.
    return _office_step(booking, actor, kind=EventKind.NO_SHOW, field=None, at=at)


@transaction.atomic
def walk_in_record(
    *,
    office: Office,
    service_code: str,
    name: str,
    actor: User,
    client: User | None = None,
    at: datetime | None = None,
) -> Booking:
    """Someone came without an appointment: a request of today, checked in now (no slot, so
    outside the punctuality measure). The agent then starts and holds it like any other."""
    _require_staff(actor, office)
    if service_code not in office.services:
        raise AppointmentError(_("Ce bureau n'offre pas ce service."))
    moment = at or timezone.now()
    today = local_day(moment)
    commitment = commitment_for(service_code, today)
    request = AppointmentRequest.objects.create(
        client=client,
        walk_in_name=name,
        service_code=service_code,
        commitment=commitment,
        office=office,
        requested_at=moment,
        requested_on=today,
        due_on=due_date(today, commitment.target) if commitment else None,
        state=RequestState.BOOKED,
    )
    booking = Booking.objects.create(request=request, slot=None, checked_in_at=moment)
    _event(request, EventKind.REQUESTED, actor, at=moment)
    _event(request, EventKind.WALK_IN, actor, booking=booking, at=moment)
    return booking
