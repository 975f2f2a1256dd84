"""The accounts' service for the retention schedule: an inactive client's account anonymized
and the access log told. The privacy app's purge decides what is due and calls it
(guichet/privacy/purge.py). Accounts are never deleted: the access log refers to them.
"""

from django.db import transaction

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record


@transaction.atomic
def user_anonymize(*, user: User, why: str, actor_label: str) -> None:
    """Replace what identifies the person (`User.PERSONAL_FIELDS`): no address, no name, no
    password, inactive."""
    changed = user.anonymize()
    user.save(update_fields=changed)
    access_log_record(
        action=AccessAction.ANONYMIZE,
        subject_kind=SubjectKind.PERSON,
        subject_id=user.pk,
        person=user.pk,
        actor=None,
        actor_label=actor_label,
        why=why,
        path="",
    )
