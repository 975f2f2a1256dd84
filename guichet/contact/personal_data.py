"""The contact centre's part of a person's personal-data export (guichet/privacy/export.py):
the e-mail enquiries sent from the account's address, with the messages exchanged. Voice
messages are known by a telephone number only, which an account does not hold: the privacy
officer finds them by the number the person gives (docs/contact.md)."""

from typing import Any

from guichet.accounts.models import User
from guichet.contact.models import Direction, Enquiry
from guichet.personal_data import iso, register_section


@register_section(
    "courriels",
    title="Demandes de renseignements par courriel",
    description=(
        "Les courriels que vous avez envoyés au Ministère depuis l'adresse de votre compte, "
        "les réponses reçues (le personnel désigné comme tel), leurs dates et les pièces "
        "jointes conservées (par leur nom)."
    ),
    order=60,
)
def section(user: User) -> dict[str, Any]:
    enquiries = (
        Enquiry.objects.filter(correspondent__iexact=user.email)
        .prefetch_related("messages__attachments", "clocks")
        .order_by("received_at", "pk")
    )
    return {
        "demandes": [
            {
                "numéro": e.pk,
                "objet": e.subject,
                "reçue_le": iso(e.received_at),
                "délais": [
                    {
                        "reçue": iso(c.received_on),
                        "échéance": iso(c.due_on),
                        "répondue": iso(c.answered_on),
                    }
                    for c in e.clocks.all()
                ],
                "messages": [
                    {
                        "de": "vous"
                        if m.direction == Direction.IN
                        else "le personnel du ministère",
                        "le": iso(m.at),
                        "objet": m.subject,
                        "texte": m.body,
                        "pièces_jointes": [a.name for a in m.attachments.all()],
                    }
                    for m in e.messages.all()
                ],
            }
            for e in enquiries
        ]
    }
