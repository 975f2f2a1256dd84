"""The contact centre's services for the retention schedule (privacy/retention.toml, kinds
`voice_messages` and `enquiries`): each anonymizes the app's own rows and writes its row of
the access log; the privacy app's purge decides what is due and calls them through the
retention registry (guichet/retention.py), as it does every app's but the dossiers'. Dates,
due dates and answers' dates stay, so that the results of past years can still be counted;
what identifies or quotes the person goes, files included.

A voice message ends when it was called back; an enquiry when its last clock was answered
and no message has reopened it since. Calls hold no personal information (docs/contact.md).
An enquiry is held by a legal hold naming its correspondent's address or its dossier.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from guichet.accounts.models import ANONYMIZED
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.contact.models import (
    ContactChannel,
    ContactEventKind,
    Enquiry,
    EnquiryAttachment,
    EnquiryMessage,
    VoiceMessage,
)
from guichet.contact.services import _event
from guichet.retention import Due, register_retention


def _remove_after_commit(field: object) -> None:
    storage, name = getattr(field, "storage", None), getattr(field, "name", "")
    if storage is not None and name:
        transaction.on_commit(lambda: storage.delete(name))


def _log(kind: SubjectKind, pk: int, *, why: str, actor_label: str) -> None:
    access_log_system_entry(
        action=AccessAction.ANONYMIZE,
        subject_kind=kind,
        subject_id=pk,
        actor_label=actor_label,
        why=why,
    )


def voice_messages_ended_by(cutoff: date) -> QuerySet[VoiceMessage]:
    """Voice messages called back on or before `cutoff` and not anonymized yet."""
    return (
        VoiceMessage.objects.filter(answered_on__lte=cutoff)
        .exclude(callerid=ANONYMIZED)
        .order_by("pk")
    )


def enquiries_ended_by(cutoff: date) -> QuerySet[Enquiry]:
    """Answered enquiries whose last answer was sent on or before `cutoff`, not anonymized."""
    return (
        Enquiry.objects.filter(open=False)
        .annotate(ended_on=Max("clocks__answered_on"))
        .filter(ended_on__lte=cutoff)
        .exclude(correspondent_name=ANONYMIZED)
        .order_by("pk")
    )


@transaction.atomic
def voice_message_anonymize(*, message: VoiceMessage, why: str, actor_label: str) -> None:
    """Remove who called and what they said (number, recording, transcript, call-back note)."""
    _remove_after_commit(message.audio)
    VoiceMessage.objects.filter(pk=message.pk).update(
        callerid=ANONYMIZED, audio="", transcript="", answer_note=""
    )
    _event(ContactChannel.VOICE_MAIL, message.pk, ContactEventKind.DESTROYED, None)
    _log(SubjectKind.VOICE_MESSAGE, message.pk, why=why, actor_label=actor_label)


@transaction.atomic
def enquiry_anonymize(*, enquiry: Enquiry, why: str, actor_label: str) -> None:
    """Remove the correspondent, the messages' addresses, subjects and texts, and the
    attachments (files and names); the link to a dossier goes too."""
    for attachment in EnquiryAttachment.objects.filter(message__enquiry=enquiry):
        _remove_after_commit(attachment.file)
    EnquiryAttachment.objects.filter(message__enquiry=enquiry).delete()
    EnquiryMessage.objects.filter(enquiry=enquiry).update(
        sender=ANONYMIZED, recipients="", subject="", body=""
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(
        subject="", correspondent="anonymise@invalid", correspondent_name=ANONYMIZED, dossier=None
    )
    _event(ContactChannel.EMAIL, enquiry.pk, ContactEventKind.DESTROYED, None)
    _log(SubjectKind.ENQUIRY, enquiry.pk, why=why, actor_label=actor_label)


# --- In the retention registry (guichet/retention.py) -----------------------------------------


def _voice_messages_due(cutoff: date, action: str) -> list[Due]:
    # A voice message names no account, address or dossier a legal hold could name.
    return [Due(f"message vocal n° {m.pk}", m) for m in voice_messages_ended_by(cutoff)]


def _voice_message_apply(
    record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]
) -> bool:
    message = voice_messages_ended_by(date.max).filter(pk=record.pk).first()
    if message is None:
        return False  # anonymized or gone since the plan was made
    voice_message_anonymize(message=message, why=why, actor_label=actor_label)
    return True


def _enquiries_due(cutoff: date, action: str) -> list[Due]:
    return [
        Due(
            f"demande par courriel n° {e.pk}",
            e,
            emails=frozenset({e.correspondent.lower()}),
            dossier_ids=frozenset({e.dossier_id}) if e.dossier_id else frozenset(),
        )
        for e in enquiries_ended_by(cutoff)
    ]


def _enquiry_apply(
    record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]
) -> bool:
    enquiry = Enquiry.objects.filter(pk=record.pk).exclude(correspondent_name=ANONYMIZED).first()
    if enquiry is None:
        return False
    enquiry_anonymize(enquiry=enquiry, why=why, actor_label=actor_label)
    return True


register_retention("voice_messages", due=_voice_messages_due, apply=_voice_message_apply)
register_retention("enquiries", due=_enquiries_due, apply=_enquiry_apply)
