"""The iCalendar invitation (RFC 5545) attached to a booking's confirmation, built with the
`icalendar` library. Times are written in UTC (a calendar shows them in its own zone)."""

from icalendar import Calendar, Event

from guichet.appointments.models import Booking, Mode


def invitation(booking: Booking, *, summary: str, location: str) -> bytes:
    slot = booking.slot
    assert slot is not None  # noqa: S101 (a walk-in gets no invitation)
    cal = Calendar()
    cal.add("prodid", "-//Guichet//Rendez-vous//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"rendez-vous-{booking.pk}@guichet")
    event.add("dtstamp", booking.booked_at)
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", summary)
    event.add("location", slot.video_url if slot.mode == Mode.ONLINE else location)
    if slot.video_url:
        event.add("url", slot.video_url)
    event.add("status", "CONFIRMED")
    cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
