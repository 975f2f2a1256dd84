"""The meetings' part of a person's personal-data export (guichet/privacy/export.py)."""

from typing import Any

from guichet.accounts.models import User
from guichet.appointments.models import AppointmentRequest
from guichet.personal_data import iso, register_section


@register_section(
    "rendez_vous",
    title="Rendez-vous",
    description=(
        "Vos demandes de rencontres et de séances aux bureaux Services Immigration-Québec : le "
        "service, le bureau, les besoins déclarés (interprète, LSQ, salle accessible, "
        "halte-garderie), les créneaux réservés et ce qui s'est passé (arrivée, début, tenue, "
        "report, absence)."
    ),
    order=50,
)
def section(user: User) -> dict[str, Any]:
    requests = (
        AppointmentRequest.objects.filter(client=user)
        .select_related("office")
        .prefetch_related("bookings__slot", "events")
        .order_by("requested_at", "pk")
    )
    return {
        "demandes": [
            {
                "numéro": r.number,
                "service": r.service_code,
                "bureau": r.office.name,
                "demandée_le": iso(r.requested_on),
                "état": r.state,
                "besoins": r.needs,
                "réservations": [
                    {
                        "créneau": iso(b.slot.starts_at) if b.slot else None,
                        "état": b.state,
                        "arrivée": iso(b.checked_in_at),
                        "début": iso(b.started_at),
                    }
                    for b in r.bookings.all()
                ],
                "événements": [{"événement": e.kind, "le": iso(e.at)} for e in r.events.all()],
            }
            for r in requests
        ]
    }
