"""The surveys' service for the retention schedule (rule `survey_invitations` of
privacy/retention.toml): an invitation (the person, the occasion, the hash of its link) is
destroyed once its period is over; its link expired long before (services.LINK_DAYS).

Answers (`Response`) are anonymous from the start: no person, no invitation, no reference to
the occasion, only the service, the unit, the kind of contact, the day and the ratings. They
are not personal information and are not in the schedule. A comment written with an answer
becomes an anonymous comment to the Commissaire, under the rule `complaints`.

The privacy app's purge decides what is due, checks the legal holds and calls it through the
registry (guichet/retention.py); nothing else should.
"""

from datetime import date
from typing import Any

from django.db import transaction

from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.retention import Due, register_retention
from guichet.surveys.models import Invitation


@transaction.atomic
def invitation_destroy(*, invitation: Invitation, why: str, actor_label: str) -> None:
    pk, person_id = invitation.pk, invitation.person_id
    Invitation.objects.filter(pk=pk).delete()
    access_log_system_entry(
        action=AccessAction.DESTROY,
        subject_kind=SubjectKind.SURVEY_INVITATION,
        why=why,
        actor_label=actor_label,
        subject_id=pk,
        person=person_id,
    )


def _due(cutoff: date, action: str) -> list[Due]:
    invitations = Invitation.objects.filter(sent_on__lte=cutoff).order_by("pk")
    return [
        Due(
            f"invitation n° {i.pk}",
            i,
            person_ids=frozenset({i.person_id}),
            # A dossier's number, a meeting's or an enquiry's: a hold on the dossier names it.
            dossier_numbers=frozenset({i.source_ref}),
        )
        for i in invitations
    ]


def _apply(record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]) -> bool:
    invitation = Invitation.objects.filter(pk=record.pk).first()
    if invitation is None:
        return False
    invitation_destroy(invitation=invitation, why=why, actor_label=actor_label)
    return True


register_retention("survey_invitations", due=_due, apply=_apply)
