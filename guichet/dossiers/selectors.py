"""Who may see which dossier: the one access-scoped way in for every view and endpoint.

- A client sees the dossiers they own.
- Staff see the dossiers of the units they belong to (agents and supervisors alike); nobody
  else's. A staff member acts only on the units where they have a role.

Each getter of one dossier, letter or document records the read in the access log
(guichet/privacy), with the reason the caller gives (`why`); a denied read records nothing.
"""

from django.db.models import QuerySet
from django.http import Http404

from guichet.accounts.models import Membership, User
from guichet.dossiers.models import Document, Dossier, Letter
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
    """The client's own dossier, or 404 (never 403: another person's number reveals nothing)."""
    dossier = _client_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def dossier_get_for_staff(user: User, number: str, *, why: str) -> Dossier:
    dossier = _staff_dossier(user, number)
    access_log_read(dossier=dossier, actor=user, why=why)
    return dossier


def _client_dossier(user: User, number: str) -> Dossier:
    dossier = (
        dossiers_of_client(user)
        .select_related("service", "service__declaration")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    return dossier


def _staff_dossier(user: User, number: str) -> Dossier:
    dossier = (
        dossiers_of_staff(user)
        .select_related("service", "service__declaration", "assigned_to", "unit")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404("Dossier introuvable")
    return dossier


def letter_get_for_user(
    user: User, number: str, letter_id: int, *, staff: bool, why: str
) -> Letter:
    dossier = _staff_dossier(user, number) if staff else _client_dossier(user, number)
    letter = dossier.letters.filter(pk=letter_id).first()
    if letter is None:
        raise Http404("Lettre introuvable")
    access_log_read(
        dossier=dossier, actor=user, why=why, subject_kind=SubjectKind.LETTER, subject_id=letter.pk
    )
    return letter


def document_get_for_user(
    user: User, number: str, document_id: int, *, staff: bool, why: str
) -> Document:
    dossier = _staff_dossier(user, number) if staff else _client_dossier(user, number)
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("Document introuvable")
    access_log_read(
        dossier=dossier,
        actor=user,
        why=why,
        subject_kind=SubjectKind.DOCUMENT,
        subject_id=document.pk,
    )
    return document
