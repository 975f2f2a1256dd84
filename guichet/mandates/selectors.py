"""Reading mandates and the register. The dossiers' access-scoped getters
(guichet/dossiers/selectors.py) ask `mandate_in_force` whether a consultant may open a dossier.
"""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier
from guichet.mandates.models import Consultant, Mandate, recognized_on


def consultant_of(user: object) -> Consultant | None:
    """The register entry of a signed-in consultant, if the account is one."""
    if not isinstance(user, User) or not user.pk:
        return None
    return Consultant.objects.filter(user=user).first()


def consultants_recognized_on(day: date) -> QuerySet[Consultant]:
    return Consultant.objects.filter(recognized_on(day))


def mandates_in_force(on: date) -> QuerySet[Mandate]:
    """Mandates usable on `on`: not revoked, and their consultant recognized that day."""
    return Mandate.objects.filter(recognized_on(on, prefix="consultant__"), revoked_at__isnull=True)


def mandate_in_force(*, user: User, dossier_id: int, on: date) -> Mandate | None:
    """The mandate through which `user`, a consultant, may act on the dossier on `on`."""
    if not user.is_authenticated:
        return None
    return (
        mandates_in_force(on)
        .filter(consultant__user=user, dossier_id=dossier_id)
        .select_related("consultant")
        .first()
    )


def mandated_dossier_ids(user: User, on: date) -> QuerySet[Mandate, int]:
    """The ids of the dossiers `user` holds a mandate in force on (a subquery)."""
    return mandates_in_force(on).filter(consultant__user=user).values_list("dossier_id", flat=True)


def mandates_of_dossier(dossier_id: int) -> QuerySet[Mandate]:
    """Every mandate of a dossier, current and past, newest first (for its owner and staff)."""
    return (
        Mandate.objects.filter(dossier_id=dossier_id)
        .select_related("consultant")
        .order_by("-granted_at", "-id")
    )


def mandates_held_by(user: User) -> QuerySet[Mandate]:
    """Every mandate given to the consultant `user`, newest first ("Mes mandats")."""
    if not user.is_authenticated:
        return Mandate.objects.none()
    return (
        Mandate.objects.filter(consultant__user=user)
        .select_related("consultant", "dossier", "dossier__service")
        .order_by("-granted_at", "-id")
    )


def mandate_of_dossier(dossier: Dossier, pk: int) -> Mandate:
    """One mandate of a dossier the caller already reached through an access-scoped getter;
    404 if it belongs to another dossier."""
    mandate = mandates_of_dossier(dossier.pk).filter(pk=pk).first()
    if mandate is None:
        raise Http404("Mandat introuvable")
    return mandate
