"""The surveys' part of a person's personal-data export: their consent and the invitations
sent to them. Their answers are anonymous: nothing links them to the person, so nothing of
them can be exported."""

from typing import Any

from guichet.accounts.models import User
from guichet.personal_data import iso, register_section
from guichet.surveys.models import Invitation, SurveyConsent


@register_section(
    "sondages",
    title="Sondages de satisfaction",
    description=(
        "Votre accord pour être sondé et les invitations reçues (sans vos réponses, qui sont "
        "anonymes et ne sont reliées à personne)."
    ),
    order=70,
)
def section(user: User) -> dict[str, Any]:
    consent = SurveyConsent.objects.filter(user=user).first()
    return {
        "accepte_d_être_sondé": bool(consent and consent.agreed),
        "choix_modifié_le": iso(consent.changed_at) if consent else None,
        "invitations": [
            {
                "envoyée_le": iso(i.sent_on),
                "occasion": str(i.get_source_display()),
                "référence": i.source_ref,
                "répondue": i.answered,
            }
            for i in Invitation.objects.filter(person=user).order_by("sent_on", "pk")
        ],
    }
