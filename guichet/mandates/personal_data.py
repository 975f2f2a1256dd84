"""The mandates' part of a person's personal-data export (see guichet/privacy/export.py): the
mandates a client gave, and for a consultant their register entry and the mandates they held."""

from typing import Any

from guichet.accounts.models import User
from guichet.mandates.models import Consultant, Mandate
from guichet.personal_data import iso, register_section


@register_section(
    "mandats",
    title="Mandats",
    description=(
        "Les mandats que vous avez donnés à un consultant en immigration sur vos dossiers "
        "(le consultant désigné par son numéro de reconnaissance), avec leurs dates de début "
        "et de révocation ; si vous êtes consultant, votre inscription au registre des "
        "consultants reconnus et les mandats qui vous ont été confiés (le dossier par son "
        "numéro, sans le nom de la personne)."
    ),
    order=40,
)
def section(user: User) -> dict[str, Any]:
    given = (
        Mandate.objects.filter(dossier__client=user)
        .select_related("dossier", "consultant")
        .order_by("granted_at", "pk")
    )
    consultant = Consultant.objects.filter(user=user).first()
    held = (
        Mandate.objects.filter(consultant=consultant)
        .select_related("dossier")
        .order_by("granted_at", "pk")
        if consultant
        else Mandate.objects.none()
    )
    return {
        "mandats_donnés": [
            {
                "dossier": m.dossier.number,
                "consultant_numéro_de_reconnaissance": m.consultant.recognition_number,
                "donné_le": iso(m.granted_at),
                "révoqué_le": iso(m.revoked_at),
            }
            for m in given
        ],
        "registre_des_consultants": (
            {
                "numéro_de_reconnaissance": consultant.recognition_number,
                "nom": consultant.full_name,
                "adresse_courriel_professionnelle": consultant.email,
                "reconnu_du": iso(consultant.recognized_from),
                "reconnu_jusqu_au": iso(consultant.recognized_until),
                "suspendu_du": iso(consultant.suspended_from),
                "suspendu_jusqu_au": iso(consultant.suspended_until),
                "reconnaissance_révoquée_le": iso(consultant.revoked_on),
            }
            if consultant
            else None
        ),
        "mandats_reçus": [
            {
                "dossier": m.dossier.number,
                "donné_le": iso(m.granted_at),
                "révoqué_le": iso(m.revoked_at),
            }
            for m in held
        ],
    }
