"""The complaints' part of a person's personal-data export (guichet/privacy/export.py): the
complaints and comments the person filed while signed in, with the answer. Staff appear as a
role, never by name."""

from typing import Any

from guichet.accounts.models import User
from guichet.complaints.models import Complaint
from guichet.personal_data import iso, register_section


@register_section(
    "plaintes",
    title="Plaintes et commentaires",
    description=(
        "Les plaintes, commentaires et suggestions que vous avez adressés au Commissaire aux "
        "plaintes et à la qualité des services en étant connecté, avec leurs étapes et la "
        "réponse du Commissaire."
    ),
    order=60,
)
def section(user: User) -> dict[str, Any]:
    mine = (
        Complaint.objects.filter(complainant=user)
        .select_related("dossier")
        .prefetch_related("events")
        .order_by("received_on", "pk")
    )
    return {
        "plaintes_et_commentaires": [
            {
                "numéro": c.number,
                "nature": str(c.get_kind_display()),
                "mode_de_réception": str(c.get_channel_display()),
                "reçu_le": iso(c.received_on),
                "sujet": str(c.get_subject_display()),
                "description": c.text,
                "dossier": c.dossier.number if c.dossier else None,
                "nom": c.contact_name,
                "adresse_courriel": c.contact_email,
                "téléphone": c.contact_phone,
                "adresse_postale": c.contact_address,
                "accusé_de_réception_le": iso(c.acknowledged_on),
                "réponse_le": iso(c.answered_on),
                "conclusion": str(c.get_outcome_display()) if c.outcome else None,
                "constats": c.findings or None,
                "ce_qui_changera": c.changes or None,
                "étapes": [
                    {
                        "date": iso(e.occurred_on),
                        "étape": str(e.get_kind_display()),
                        "par": "vous"
                        if e.actor_id == user.pk
                        else ("le bureau du Commissaire" if e.actor_id else "vous"),
                    }
                    for e in sorted(c.events.all(), key=lambda e: (e.occurred_on, e.pk))
                ],
            }
            for c in mine
        ]
    }
