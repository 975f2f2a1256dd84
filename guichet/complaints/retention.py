"""The complaints' services for the retention schedule (rule `complaints` of
privacy/retention.toml): an answered complaint, once its period is over, keeps what the
Commissaire's figures count (nature, subject, unit, dates, outcome, what will change) and loses
the person (`Complaint.PERSONAL_FIELDS`, the notes of its history, who acted when it was not
staff). The privacy app's purge decides what is due, checks the legal holds and calls them
through the registry (guichet/retention.py); nothing else should.

`complaint_anonymize` rewrites append-only history (complaint events), which the database
refuses outside a purge: call it inside `guichet.append_only.purge_writable()`, in the purge's
transaction, as the owner role on PostgreSQL.

Like every other entry about a complaint, the access-log entry names neither the person nor a
dossier: the log's readers learn that a complaint was anonymized, never whose.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from guichet.accounts.models import ANONYMIZED
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.complaints.models import Complaint, ComplaintEvent, Kind
from guichet.retention import Due, register_retention


def complaints_due(cutoff: date, *, anonymized_too: bool = False) -> list[Complaint]:
    """Complaints whose period started on or before `cutoff`: the answer, or the reception of
    a comment left without one; not yet anonymized (anonymized ones are still due for
    destruction when the rule says destroy). A complaint not answered never ends."""
    ended = Q(answered_on__lte=cutoff) | Q(
        kind=Kind.COMMENT, answered_on__isnull=True, received_on__lte=cutoff
    )
    due = Complaint.objects.filter(ended)
    if not anonymized_too:
        due = due.exclude(contact_name=ANONYMIZED)
    return list(due.select_related("dossier").order_by("number"))


@transaction.atomic
def complaint_anonymize(
    *, complaint: Complaint, why: str, actor_label: str, staff_ids: set[int]
) -> None:
    """Keep the complaint for the figures, without the person: its personal fields replaced
    (`Complaint.PERSONAL_FIELDS`), the notes of its history too; who acted stays when it was
    staff (`staff_ids`)."""
    events = list(ComplaintEvent.objects.filter(complaint=complaint))
    for event in events:
        event.note = ANONYMIZED if event.note else ""
        if event.actor_id is not None and event.actor_id not in staff_ids:
            event.actor = None
    ComplaintEvent.objects.bulk_update(events, list(ComplaintEvent.PERSONAL_FIELDS))
    changed = complaint.anonymize()
    complaint.save(update_fields=changed)
    access_log_system_entry(
        action=AccessAction.ANONYMIZE,
        subject_kind=SubjectKind.COMPLAINT,
        why=why,
        actor_label=actor_label,
        subject_id=complaint.pk,
    )


def complaint_destroy(*, complaint: Complaint, why: str, actor_label: str) -> None:
    """Destroy a complaint, its history and its recommendations, in a savepoint of its own."""
    pk = complaint.pk
    with transaction.atomic():
        ComplaintEvent.objects.filter(complaint_id=pk).delete()
        complaint.delete()
        access_log_system_entry(
            action=AccessAction.DESTROY,
            subject_kind=SubjectKind.COMPLAINT,
            why=why,
            actor_label=actor_label,
            subject_id=pk,
        )


def _due(cutoff: date, action: str) -> list[Due]:
    return [
        Due(
            f"plainte {c.number}",
            c,
            person_ids=frozenset({c.complainant_id}) if c.complainant_id else frozenset(),
            emails=frozenset({c.contact_email.lower()}) if c.contact_email else frozenset(),
            dossier_ids=frozenset({c.dossier_id}) if c.dossier_id else frozenset(),
        )
        for c in complaints_due(cutoff, anonymized_too=action == "destroy")
    ]


def _apply(record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]) -> bool:
    complaint = Complaint.objects.select_related("dossier").filter(pk=record.pk).first()
    if complaint is None or (action != "destroy" and complaint.contact_name == ANONYMIZED):
        return False
    if action == "destroy":
        complaint_destroy(complaint=complaint, why=why, actor_label=actor_label)
    else:
        complaint_anonymize(
            complaint=complaint, why=why, actor_label=actor_label, staff_ids=staff_ids
        )
    return True


register_retention("complaints", due=_due, apply=_apply)
