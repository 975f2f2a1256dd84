"""Meetings and group sessions at the SIQ offices (DOMAIN.md, "Meetings and group sessions").

An office is data (offices/siq.toml) and belongs to a unit of the ministry: the unit's members
are its agents and supervisors (accounts.Membership), so access to an office's day, worklist and
capacity is the same question as access to a unit's dossiers. Slots are offered times (one agent
for an individual meeting, a room and a capacity for a group session, or a video link online);
a client's *request* starts the clock, a *booking* takes a seat of a slot, and what happens at
the office (arrival, start, held, no-show, walk-in) is appended to `MeetingEvent`.

Every instant is stored in UTC; a slot knows the time zone it is held in (the office's, or the
audience's for an information session abroad) and pages show it in that zone.
"""

from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.append_only import AppendOnly

TORONTO = "America/Toronto"


class SlotKind(models.TextChoices):
    MEETING = "meeting", _("Rencontre individuelle")
    SESSION = "session", _("Séance de groupe")


class Mode(models.TextChoices):
    OFFICE = "office", _("Au bureau")
    ONLINE = "online", _("En ligne")


class Language(models.TextChoices):
    FRENCH = "fr", _("français")
    ENGLISH = "en", _("anglais")
    SPANISH = "es", _("espagnol")


class Office(models.Model):
    """A Services Immigration-Québec office. Its agents are the members of its unit."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="offices", verbose_name=_("unité")
    )
    address = models.TextField(_("adresse"))
    region = models.CharField(_("région administrative"), max_length=80)
    time_zone = models.CharField(_("fuseau horaire"), max_length=60, default=TORONTO)
    hours = models.CharField(_("heures d'ouverture"), max_length=200)
    accessible = models.BooleanField(_("locaux accessibles"), default=True)
    accessibility = models.TextField(_("accessibilité des locaux"), blank=True)
    services = models.JSONField(_("services offerts (codes)"), default=list)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("nom"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("capacité"))
    accessible = models.BooleanField(_("accessible"), default=True)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="room_name_per_office"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} — {self.name}"


class Schedule(models.Model):
    """A recurring offer: every `weekday` at `start_time` (local time in `time_zone`) for
    `weeks` weeks from `first_day`, less its exceptions and the closure days."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="schedules")
    service_code = models.SlugField(_("service"), max_length=60)
    kind = models.CharField(_("nature"), max_length=10, choices=SlotKind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFICE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("salle")
    )
    capacity = models.PositiveSmallIntegerField(_("capacité"), default=1)
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    weekday = models.PositiveSmallIntegerField(
        _("jour de la semaine"), help_text=_("0 = lundi … 4 = vendredi")
    )
    start_time = models.TimeField(_("heure (locale)"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    first_day = models.DateField(_("à partir du"))
    weeks = models.PositiveSmallIntegerField(_("nombre de semaines"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=60, default=TORONTO)
    video_url = models.URLField(_("lien de la visioconférence"), blank=True)

    class Meta:
        verbose_name = _("horaire récurrent")
        verbose_name_plural = _("horaires récurrents")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="schedule_weekday"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="schedule_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.service_code} ({self.weekday}, {self.start_time})"


class ScheduleException(models.Model):
    """A day a recurring schedule skips (training, a vacation)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("jour"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "day"], name="one_exception_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.day}"


class Slot(models.Model):
    """An offered time: an agent's meeting (capacity 1) or a group session (a room's seats, or
    online). `booked` counts the seats taken; the database refuses more than `capacity`."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="slots")
    service_code = models.SlugField(_("service"), max_length=60)
    kind = models.CharField(_("nature"), max_length=10, choices=SlotKind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFICE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("salle")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    time_zone = models.CharField(_("fuseau horaire"), max_length=60, default=TORONTO)
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    booked = models.PositiveSmallIntegerField(_("places réservées"), default=0)
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    video_url = models.URLField(_("lien de la visioconférence"), blank=True)
    schedule = models.ForeignKey(
        Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots"
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at", "pk"]
        constraints = [
            # The guard of the last seat: whatever the code does, never more than capacity.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_booked_within_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after"),
            # An agent is in one meeting at a time (a schedule published twice makes no twins).
            models.UniqueConstraint(
                fields=["agent", "starts_at"],
                condition=Q(agent__isnull=False, cancelled_at__isnull=True),
                name="one_slot_per_agent_and_time",
            ),
            models.UniqueConstraint(
                fields=["schedule", "starts_at"],
                condition=Q(schedule__isnull=False),
                name="one_slot_per_schedule_and_time",
            ),
        ]
        indexes = [
            models.Index(fields=["service_code", "starts_at"], name="slot_service_start"),
            models.Index(fields=["office", "starts_at"], name="slot_office_start"),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.service_code} {self.starts_at.isoformat()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def local_day(self) -> date:
        return self.local_start.date()

    @property
    def free(self) -> int:
        return self.capacity - self.booked

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity


class RequestState(models.TextChoices):
    OPEN = "open", _("À fixer")
    BOOKED = "booked", _("Rendez-vous fixé")
    HELD = "held", _("Tenu")
    NO_SHOW = "no_show", _("Absence")
    POSTPONED = "postponed", _("Reporté à votre demande")
    CANCELLED = "cancelled", _("Annulé")


ENDED_WITHOUT_OUTCOME = (RequestState.NO_SHOW, RequestState.POSTPONED, RequestState.CANCELLED)


class AppointmentRequest(models.Model):
    """A client's request for a meeting, a session or an accompaniment: its date R starts the
    clock. A postponement at the client's request ends it (POSTPONED, no outcome) and starts a
    new request, `previous` pointing back to it."""

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "walk_in_name": "",
        "interpreter_language": "",
        "sign_language": False,
        "child_care": False,
        "accessible_room": False,
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "client",
        "service_code",
        "commitment",
        "office",
        "mode",
        "requested_at",
        "requested_on",
        "due_on",
        "held_on",
        "state",
        "previous",
    )

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment_requests",
        verbose_name=_("client"),
    )
    walk_in_name = models.CharField(_("nom (sans rendez-vous)"), max_length=200, blank=True)
    service_code = models.SlugField(_("service"), max_length=60)
    commitment = models.ForeignKey(
        "catalogue.Commitment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("engagement"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="requests", verbose_name=_("bureau")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFICE)
    interpreter_language = models.CharField(_("interprète (langue)"), max_length=60, blank=True)
    sign_language = models.BooleanField(_("langue des signes québécoise (LSQ)"), default=False)
    accessible_room = models.BooleanField(_("salle accessible"), default=False)
    child_care = models.BooleanField(_("halte-garderie"), default=False)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    requested_on = models.DateField(_("date de la demande"))
    # Caches of the events (the clock is computed from them: clocks.py).
    due_on = models.DateField(_("date promise"), null=True, blank=True)
    held_on = models.DateField(_("tenu le"), null=True, blank=True)
    state = models.CharField(
        _("état"), max_length=12, choices=RequestState.choices, default=RequestState.OPEN
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("reporté depuis"),
    )

    class Meta:
        verbose_name = _("demande de rendez-vous")
        verbose_name_plural = _("demandes de rendez-vous")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "state", "due_on"], name="request_office_state_due"),
            models.Index(fields=["held_on"], name="request_held_on"),
        ]

    def __str__(self) -> str:
        return f"RV-{self.pk} {self.service_code}"

    @property
    def number(self) -> str:
        return f"RV-{self.pk:06d}" if self.pk else "RV-"

    @property
    def is_active(self) -> bool:
        return self.state in (RequestState.OPEN, RequestState.BOOKED)

    @property
    def needs(self) -> list[str]:
        out = []
        if self.interpreter_language:
            out.append(str(_("interprète")) + f" ({self.interpreter_language})")
        if self.sign_language:
            out.append(str(_("LSQ")))
        if self.accessible_room:
            out.append(str(_("salle accessible")))
        if self.child_care:
            out.append(str(_("halte-garderie")))
        return out


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Réservé")
    HELD = "held", _("Tenu")
    NO_SHOW = "no_show", _("Absence")
    CANCELLED = "cancelled", _("Annulé")
    POSTPONED = "postponed", _("Reporté")


class Booking(models.Model):
    """A seat of a slot taken for a request (none for a walk-in). The times are caches of the
    request's events, for the day's page and the punctuality measure."""

    request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="bookings"
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    state = models.CharField(
        _("état"), max_length=12, choices=BookingState.choices, default=BookingState.BOOKED
    )
    booked_at = models.DateTimeField(_("réservé le"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("arrivée"), null=True, blank=True)
    started_at = models.DateTimeField(_("début"), null=True, blank=True)
    held_at = models.DateTimeField(_("tenu"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmation envoyée"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé"), null=True, blank=True)

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["-booked_at", "-pk"]
        constraints = [
            # One live booking per request, and never the same request twice in a slot.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(state="booked"),
                name="one_live_booking_per_request",
            ),
            models.UniqueConstraint(
                fields=["slot", "request"],
                condition=Q(state="booked"),
                name="one_seat_per_request_and_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} @ {self.slot_id}"


class WaitingState(models.TextChoices):
    WAITING = "waiting", _("En attente")
    SEATED = "seated", _("Place obtenue")
    LEFT = "left", _("Retiré")


class WaitingEntry(models.Model):
    """A place on a full session's waiting list: a freed seat goes to the first one."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="waiting")
    request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="waiting"
    )
    joined_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    state = models.CharField(
        _("état"), max_length=10, choices=WaitingState.choices, default=WaitingState.WAITING
    )

    class Meta:
        verbose_name = _("liste d'attente")
        verbose_name_plural = _("listes d'attente")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "request"],
                condition=Q(state="waiting"),
                name="one_wait_per_request_and_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} waits for {self.slot_id}"


class EventKind(models.TextChoices):
    REQUESTED = "requested", _("Demande reçue")
    BOOKED = "booked", _("Rendez-vous fixé")
    CANCELLED_BY_CLIENT = "cancelled_by_client", _("Annulé par la personne")
    CANCELLED_BY_MINISTRY = "cancelled_by_ministry", _("Annulé par le ministère")
    POSTPONED = "postponed", _("Reporté à la demande de la personne")
    WAITLISTED = "waitlisted", _("Inscrit sur la liste d'attente")
    SEATED_FROM_WAITING = "seated_from_waiting", _("Place libérée attribuée")
    CHECKED_IN = "checked_in", _("Arrivée")
    STARTED = "started", _("Rencontre commencée")
    HELD = "held", _("Rencontre tenue")
    NO_SHOW = "no_show", _("Absence")
    WALK_IN = "walk_in", _("Accueil sans rendez-vous")
    CONFIRMATION_SENT = "confirmation_sent", _("Confirmation envoyée")
    REMINDER_SENT = "reminder_sent", _("Rappel envoyé")


class MeetingEvent(AppendOnly):
    """What happened to a request, in order; its clock is computed from these (clocks.py)."""

    record_name = "l'historique des rendez-vous"
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("details",)
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "request",
        "booking",
        "kind",
        "at",
        "on",
        "actor",
    )

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="events")
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("événement"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    # The local date of `at` (America/Toronto): the day a clock counts.
    on = models.DateField(_("jour"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de rendez-vous")
        verbose_name_plural = _("événements de rendez-vous")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "on"], name="meeting_event_kind_on")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.at.isoformat()}"
