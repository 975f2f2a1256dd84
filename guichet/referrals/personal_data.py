"""The referrals' part of a person's personal-data export: the partners they were directed to."""

from typing import Any

from django.db.models import Q

from guichet.accounts.models import User
from guichet.personal_data import iso, register_section
from guichet.referrals.models import Referral


@register_section(
    "orientations",
    title="Orientations vers des organismes partenaires",
    description="Les organismes vers lesquels vous avez été dirigé, quand et pourquoi.",
    order=80,
)
def section(user: User) -> dict[str, Any]:
    mine = Referral.objects.filter(Q(person=user) | Q(person_email__iexact=user.email))
    return {
        "orientations": [
            {
                "le": iso(r.referred_on),
                "organisme": r.partner.name,
                "besoin": str(r.get_need_display()),
                "motif": r.reason,
                "dossier": r.dossier_number or None,
                "par": "le personnel du ministère" if r.referred_by_id else "vous",
            }
            for r in mine.select_related("partner").order_by("referred_on", "pk")
        ]
    }
