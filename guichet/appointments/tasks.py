"""E-mails of meetings, sent by the django-tasks worker (`guichet db_worker`) after the commit:
the confirmation with its invitation (.ics), a freed seat given to the first person waiting,
and the reminder two business days before (`guichet appointment-reminders`, run each morning).
"""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from guichet.accounts.language import language_of_service
from guichet.appointments.ics import invitation
from guichet.appointments.models import Booking, BookingState, EventKind, MeetingEvent
from guichet.appointments.presentation import service_name, when_text
from guichet.calendars.services import business_calendar
from guichet.public_url import public_url


def _language(booking: Booking) -> str:
    return language_of_service(booking.request.client, timezone.localdate())


def _message(booking: Booking, subject: str, intro: str) -> EmailMessage:
    slot = booking.slot
    assert slot is not None  # noqa: S101 (only booked slots are confirmed)
    request = booking.request
    where = slot.video_url or f"{request.office.name}, {request.office.address}"
    body = _(
        "Bonjour,\n\n%(intro)s\n\n%(service)s\n%(when)s\n%(where)s\n\n"
        "Pour reporter ou annuler ce rendez-vous : %(link)s\n\n"
        "Ce courriel est envoyé automatiquement ; n'y répondez pas.\n"
    ) % {
        "intro": intro,
        "service": service_name(request.service_code),
        "when": when_text(slot),
        "where": where,
        "link": public_url(reverse("appointments:detail", args=[request.pk])),
    }
    assert request.client is not None  # noqa: S101
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.client.email],
    )
    message.attach(
        "rendez-vous.ics",
        invitation(
            booking,
            summary=service_name(request.service_code),
            location=f"{request.office.name}, {request.office.address}",
        ),
        "text/calendar",
    )
    return message


def _booking(booking_id: int) -> Booking:
    return Booking.objects.select_related("slot", "request__office", "request__client").get(
        pk=booking_id
    )


@task()
def send_confirmation(booking_id: int) -> None:
    """The confirmation with the invitation; a retried task sends nothing twice."""
    booking = _booking(booking_id)
    if booking.confirmed_at is not None or booking.request.client is None:
        return
    with translation.override(_language(booking)):
        seated = booking.events.filter(kind=EventKind.SEATED_FROM_WAITING).exists()
        subject = (
            _("Une place s'est libérée : votre rendez-vous est fixé")
            if seated
            else _("Votre rendez-vous est confirmé")
        )
        intro = (
            _(
                "Une place s'est libérée dans la séance pour laquelle vous attendiez : "
                "elle est à vous."
            )
            if seated
            else _("Votre rendez-vous est fixé. L'invitation est jointe à ce courriel.")
        )
        _message(booking, subject, intro).send()
    Booking.objects.filter(pk=booking.pk).update(confirmed_at=timezone.now())
    MeetingEvent.objects.create(
        request=booking.request,
        booking=booking,
        kind=EventKind.CONFIRMATION_SENT,
        on=timezone.localdate(),
    )


def reminder_day(today: date) -> date:
    """The day whose meetings are reminded today: two business days ahead."""
    cal = business_calendar()
    return cal.business_day(cal.ordinal(today) + 2)


def send_reminders(today: date) -> int:
    """Remind every booking held on the second business day after `today` (once each)."""
    day = reminder_day(today)
    sent = 0
    bookings = (
        Booking.objects.filter(state=BookingState.BOOKED, reminded_at__isnull=True)
        .exclude(request__client__isnull=True)
        .select_related("slot", "request__office", "request__client")
        .filter(slot__starts_at__date=day)
    )
    for booking in bookings:
        with translation.override(_language(booking)):
            _message(
                booking,
                _("Rappel : votre rendez-vous approche"),
                _("Nous vous rappelons votre rendez-vous."),
            ).send()
        Booking.objects.filter(pk=booking.pk).update(reminded_at=timezone.now())
        MeetingEvent.objects.create(
            request=booking.request,
            booking=booking,
            kind=EventKind.REMINDER_SENT,
            on=timezone.localdate(),
        )
        sent += 1
    return sent
