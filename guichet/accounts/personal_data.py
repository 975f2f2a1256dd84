"""The account's part of a person's personal-data export (guichet/personal_data.py), and
`Who`, how every section names who acted."""

from typing import Any

from guichet.accounts.models import (
    LanguageOfService,
    Membership,
    RoleGrant,
    Signup,
    TotpDevice,
    User,
)
from guichet.personal_data import iso, register_section


class Who:
    """Who did something, as the person may be told: themselves, the ministry's staff,
    another person, or a system (by its label); never another person's name. One per
    section call (it remembers who is staff)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._staff: dict[int, bool] = {}

    def __call__(self, actor_id: int | None, label: str = "") -> str:
        if actor_id is None:
            return label or "système"
        if actor_id == self.user.pk:
            return "vous"
        if actor_id not in self._staff:
            self._staff[actor_id] = (
                Membership.objects.filter(user_id=actor_id).exists()
                or RoleGrant.objects.filter(user_id=actor_id).exists()
            )
        return "le personnel du ministère" if self._staff[actor_id] else "une autre personne"


@register_section(
    "compte",
    title="Votre compte",
    description=(
        "Votre compte en ligne : adresse courriel, nom, dates d'inscription et de dernière "
        "connexion, validation en deux étapes (jamais son secret), langue de service et son "
        "motif, rôles et unités pour le personnel. Le mot de passe n'est conservé que sous "
        "une forme chiffrée qui ne se déchiffre pas : il n'est pas communiqué."
    ),
    order=10,
)
def section(user: User) -> dict[str, Any]:
    signup = Signup.objects.filter(user=user).first()
    device = (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).defer("secret").first()
    )
    who = Who(user)
    return {
        "numéro_de_compte": user.pk,
        "adresse_courriel": user.email,
        "nom_complet": user.full_name,
        "actif": user.is_active,
        "inscrit_le": iso(user.date_joined),
        "dernière_connexion": iso(user.last_login),
        "inscription_en_ligne": (
            {"demandée_le": iso(signup.requested_at), "activée_le": iso(signup.activated_at)}
            if signup
            else None
        ),
        "validation_en_deux_étapes": {
            "activée": device is not None,
            "depuis": iso(device.confirmed_at) if device else None,
        },
        "langue_de_service": [
            {
                "changement": record.get_change_display(),
                "langue": record.get_language_display() or None,
                "motif": record.get_basis_display() or None,
                "arrivée_au_québec_le": iso(record.arrived_on),
                "domicile_hors_du_québec": record.outside_quebec,
                "justification": record.justification,
                "valide_jusqu_au": iso(record.valid_until),
                "raison_de_la_fin": record.get_end_reason_display() or None,
                "inscrite_par": who(record.recorded_by_id, record.get_recorded_as_display()),
                "inscrite_le": iso(record.recorded_at),
            }
            for record in LanguageOfService.objects.filter(user=user).order_by("id")
        ],
        "rôles": [
            {"rôle": grant.get_role_display(), "attribué_le": iso(grant.granted_at)}
            for grant in RoleGrant.objects.filter(user=user).order_by("granted_at")
        ],
        "unités": [
            {"unité": m.unit.name, "rôle": m.get_role_display()}
            for m in Membership.objects.filter(user=user).select_related("unit")
        ],
    }
