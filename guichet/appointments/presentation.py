"""How meetings are shown: the service's name in the active language, and a slot's time in
the zone it is held in (the office's, or an online session's audience's)."""

from django.utils import formats
from django.utils.translation import gettext as _

from guichet.appointments.models import Slot
from guichet.catalogue.models import Service

# The meeting services of the declaration, in the order the portal offers them.
MEETING_SERVICES = (
    "siq-rencontre-individuelle",
    "siq-seance-groupe",
    "s-adapter-monde-travail",
    "accompagnement-ordre-professionnel",
)


def service_name(code: str) -> str:
    service = Service.objects.filter(code=code).order_by("-declaration__in_force_from").first()
    return service.localized_name if service is not None else code


def when_text(slot: Slot) -> str:
    start, end = slot.local_start, slot.local_end
    return _("%(day)s, de %(start)s à %(end)s (heure de %(zone)s)") % {
        "day": formats.date_format(start.date(), "l j F Y"),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "zone": slot.time_zone,
    }
