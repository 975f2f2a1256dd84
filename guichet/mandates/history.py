"""Who did what: the actor of each event of a dossier, as its client, its consultant or
staff should read it. Every event records its actor (guichet/dossiers/services/base.py:_event);
this names them."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.dossiers.models import MANDATE_EVENTS, Dossier, DossierEvent
from guichet.mandates.models import Consultant


@dataclass(frozen=True)
class HistoryRow:
    event: DossierEvent
    by: str


def ever_mandated(events: Sequence[DossierEvent]) -> bool:
    """Whether a mandate was ever given on the dossier: without one, no consultant acted."""
    return any(e.kind in MANDATE_EVENTS for e in events)


def _consultants(events: Sequence[DossierEvent]) -> dict[int, Consultant]:
    if not ever_mandated(events):
        return {}
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    return {c.user_id: c for c in Consultant.objects.filter(user_id__in=actor_ids) if c.user_id}


def _named(consultant: Consultant) -> dict[str, str]:
    return {"name": consultant.full_name, "number": consultant.recognition_number}


def portal_history(
    dossier: Dossier, events: Sequence[DossierEvent], viewer: User
) -> list[HistoryRow]:
    """For the portal: "vous", "votre consultant·e …" (or "votre client·e" when a consultant
    reads), "le ministère" for staff, other systems and the system itself."""
    consultants = _consultants(events)
    rows = []
    for event in events:
        actor_id = event.actor_id
        consultant = consultants.get(actor_id) if actor_id is not None else None
        if actor_id is not None and actor_id == viewer.pk:
            by = _("vous")
        elif actor_id is not None and actor_id == dossier.client_id:
            by = _("votre client·e")
        elif consultant is not None and viewer.pk == dossier.client_id:
            by = _("votre consultant·e %(name)s (n° %(number)s)") % _named(consultant)
        elif consultant is not None:
            by = _("consultant·e %(name)s (n° %(number)s)") % _named(consultant)
        else:
            by = _("le ministère")
        rows.append(HistoryRow(event, by))
    return rows


def office_history(dossier: Dossier, events: Sequence[DossierEvent]) -> list[HistoryRow]:
    """For staff: the client and consultants named as such, staff and systems by their label."""
    consultants = _consultants(events)
    rows = []
    for event in events:
        actor_id = event.actor_id
        consultant = consultants.get(actor_id) if actor_id is not None else None
        if actor_id is not None and actor_id == dossier.client_id:
            by = _("client·e : %(name)s") % {"name": event.actor_label}
        elif consultant is not None:
            by = _("consultant·e %(name)s (n° %(number)s)") % _named(consultant)
        else:
            by = event.actor_label
        rows.append(HistoryRow(event, by))
    return rows
