"""Who may see which dossier: the one access-scoped way in for every view and endpoint.

- A client sees the dossiers they own.
- A recognized immigration consultant sees, and acts on through the same pages, the dossiers
  they hold a mandate in force on today (guichet/mandates): not revoked, and their recognition
  valid today. Nothing else: a revoked or expired mandate answers 404 at once.
- Staff see the dossiers of the units they belong to (agents and supervisors alike); nobody
  else's. A staff member acts only on the units where they have a role.

Each getter of one dossier, letter or document records the read in the access log
(guichet/privacy), with the reason the caller gives (`why`); a denied read records nothing.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.models import Membership, User
from guichet.crypto import encrypted_fields
from guichet.dossiers.models import Document, Dossier, Letter
from guichet.mandates.models import Mandate
from guichet.mandates.selectors import mandate_in_force, mandated_dossier_ids
from guichet.privacy.models import SubjectKind
from guichet.privacy.services import access_log_read


def dossiers_of_client(user: User) -> QuerySet[Dossier]:
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(client=user)


def dossiers_of_staff(user: User) -> QuerySet[Dossier]:
    """The dossiers of the user's units, except those filed under their own account: nobody
    works on their own dossier (conflict of interest)."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        unit_id__in=Membership.objects.filter(user=user).values("unit_id")
    ).exclude(client=user)


def dossier_get_for_client(user: User, number: str, *, why: str) -> Dossier:
    """The client's own dossier, or one the user holds a mandate in force on today; otherwise
    404 (never 403: another person's number reveals nothing)."""
    dossier, mandate = _client_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=_why(why, mandate))
    return dossier


def dossier_get_for_owner(user: User, number: str, *, why: str) -> Dossier:
    """The client's own dossier only, for what nobody does by mandate (giving or revoking a
    mandate, withdrawing the request); 404 for anyone else, a consultant included."""
    dossier = (
        dossiers_of_client(user)
        .select_related("service", "service__declaration")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


# How a consultant's reads are explained in the access log (the client's wording otherwise).
CONSULTANT_WHY = {
    "consultation par le client": "consultation par le consultant mandataire",
    "démarche du client": "démarche du consultant mandataire",
}


def _why(why: str, mandate: Mandate | None) -> str:
    if mandate is None:
        return why
    return f"{CONSULTANT_WHY.get(why, why)} (mandat n° {mandate.pk})"


def dossier_get_for_staff(user: User, number: str, *, why: str) -> Dossier:
    dossier = _staff_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def _client_dossier(user: User, number: str) -> tuple[Dossier, Mandate | None]:
    """The dossier if `user` owns it (no mandate), or holds a mandate in force on it today
    (that mandate); otherwise 404."""
    if not user.is_authenticated:
        raise Http404("Dossier introuvable")
    today = timezone.localdate()
    dossier = (
        Dossier.objects.filter(Q(client=user) | Q(pk__in=mandated_dossier_ids(user, today)))
        .select_related("service", "service__declaration")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    if dossier.client_id == user.pk:
        return dossier, None
    mandate = mandate_in_force(user=user, dossier_id=dossier.pk, on=today)
    if mandate is None:  # revoked between the two queries
        raise Http404("Dossier introuvable")
    return dossier, mandate


ENCRYPTED_FIELDS = tuple(f.name for f in encrypted_fields(Dossier))


def _staff_dossier(user: User, number: str) -> Dossier:
    dossier = (
        dossiers_of_staff(user)
        .select_related("service", "service__declaration", "assigned_to", "unit")
        # Encrypted identifiers are decrypted only when a page asks for them.
        .defer(*ENCRYPTED_FIELDS)
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    return dossier


def letter_get_for_user(
    user: User, number: str, letter_id: int, *, staff: bool, why: str
) -> Letter:
    dossier, mandate = (
        (_staff_dossier(user, number), None) if staff else _client_dossier(user, number)
    )
    letter = dossier.letters.filter(pk=letter_id).first()
    if letter is None:
        raise Http404("Lettre introuvable")
    access_log_read(
        dossier=dossier,
        actor=user,
        why=_why(why, mandate),
        subject_kind=SubjectKind.LETTER,
        subject_id=letter.pk,
    )
    return letter


def document_get_for_user(
    user: User, number: str, document_id: int, *, staff: bool, why: str
) -> Document:
    dossier, mandate = (
        (_staff_dossier(user, number), None) if staff else _client_dossier(user, number)
    )
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("Document introuvable")
    access_log_read(
        dossier=dossier,
        actor=user,
        why=_why(why, mandate),
        subject_kind=SubjectKind.DOCUMENT,
        subject_id=document.pk,
    )
    return document
