"""Who may read which complaint: the one way in for every view, endpoint and export.

- Members of the Commissaire's office (the global role `commissaire`) read every complaint
  and comment; every read is written to the access log with its reason.
- The person who filed one while signed in reads their own (the answer included).
- Nobody else: agents, supervisors, the privacy officer and administrators get 404, as does
  anyone for a number that does not exist (no hint that it does). A denied read logs nothing.
"""

from django.db.models import QuerySet
from django.http import Http404

from guichet.accounts.models import GlobalRole, User, has_role
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.complaints.models import Complaint, Recommendation

NUMBER_MAX_LENGTH = Complaint._meta.get_field("number").max_length or 20


def is_commissaire(user: object) -> bool:
    """A member of the Commissaire's office."""
    return has_role(user, GlobalRole.COMMISSAIRE)


def complaints_for_commissaire(user: User) -> QuerySet[Complaint]:
    """Every complaint and comment, for the Commissaire's office only (none for anyone else)."""
    if not is_commissaire(user):
        return Complaint.objects.none()
    return Complaint.objects.all()


def complaints_of_complainant(user: User) -> QuerySet[Complaint]:
    if not user.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(complainant=user)


def _plausible(number: str) -> None:
    if len(number) > NUMBER_MAX_LENGTH or not number.isprintable():
        raise Http404("Plainte introuvable")


def _log(complaint: Complaint, user: User, why: str) -> None:
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.COMPLAINT,
        subject_id=complaint.pk,
        # No person and no number: the log's readers (the privacy officer) must not learn
        # who complained (the complaint is sealed), only that the office read one.
        actor=user,
        why=why,
    )


def complaint_get_for_commissaire(user: User, number: str, *, why: str) -> Complaint:
    """A complaint for the Commissaire's office; 404 for anyone else. The read is logged."""
    _plausible(number)
    complaint = (
        complaints_for_commissaire(user)
        .select_related("dossier", "unit", "complainant")
        .filter(number=number)
        .first()
    )
    if complaint is None:
        raise Http404("Plainte introuvable")
    _log(complaint, user, why)
    return complaint


def complaint_get_for_complainant(user: User, number: str, *, why: str) -> Complaint:
    """The signed-in person's own complaint; 404 for anyone else."""
    _plausible(number)
    complaint = (
        complaints_of_complainant(user).select_related("dossier").filter(number=number).first()
    )
    if complaint is None:
        raise Http404("Plainte introuvable")
    _log(complaint, user, why)
    return complaint


def recommendation_get_for_commissaire(user: User, complaint: Complaint, pk: int) -> Recommendation:
    if not is_commissaire(user):
        raise Http404("Recommandation introuvable")
    found = complaint.recommendations.filter(pk=pk).first()
    if found is None:
        raise Http404("Recommandation introuvable")
    return found
