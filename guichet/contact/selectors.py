"""Access-scoped getters of the contact centre. Voice messages and e-mail enquiries are the
ministry's, not a unit's: every member of a unit (agents and supervisors) may answer them;
clients and people without a unit get a 404. Each read of a message is written to the access
log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from guichet.accounts.models import User, units_of_request_user
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.contact.models import Enquiry, EnquiryAttachment, EnquiryClock, VoiceMessage


def may_answer(user: User) -> bool:
    return bool(user.is_authenticated and units_of_request_user(user))


def _require(user: User) -> None:
    if not may_answer(user):
        raise Http404("Page introuvable")


def voice_message_get_for_staff(user: User, pk: int, *, why: str) -> VoiceMessage:
    _require(user)
    try:
        message = VoiceMessage.objects.get(pk=pk)
    except VoiceMessage.DoesNotExist:
        raise Http404("Page introuvable") from None
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.VOICE_MESSAGE,
        subject_id=message.pk,
        actor=user,
        why=why,
    )
    return message


def enquiry_get_for_staff(user: User, pk: int, *, why: str) -> Enquiry:
    _require(user)
    try:
        enquiry = Enquiry.objects.select_related("dossier").get(pk=pk)
    except Enquiry.DoesNotExist:
        raise Http404("Page introuvable") from None
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.ENQUIRY,
        subject_id=enquiry.pk,
        actor=user,
        why=why,
    )
    return enquiry


def attachment_get_for_staff(user: User, pk: int, *, why: str) -> EnquiryAttachment:
    _require(user)
    try:
        attachment = EnquiryAttachment.objects.select_related("message").get(pk=pk, refused="")
    except EnquiryAttachment.DoesNotExist:
        raise Http404("Page introuvable") from None
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.ENQUIRY,
        subject_id=attachment.message.enquiry_id,
        actor=user,
        why=why,
    )
    return attachment


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "voice" or "email"
    pk: int
    received_on: date
    due_on: date
    label: str


def open_items() -> list[WorkItem]:
    """Every voice message not called back and every enquiry not answered, by due date (no
    personal information: the page links to each item, whose reading is logged)."""
    items = [
        WorkItem("voice", pk, received, due, mailbox)
        for pk, received, due, mailbox in VoiceMessage.objects.filter(
            answered_at__isnull=True
        ).values_list("pk", "received_on", "due_on", "mailbox")
    ]
    clocks: QuerySet[EnquiryClock] = EnquiryClock.objects.filter(answered_at__isnull=True)
    items += [
        WorkItem("email", enquiry_id, received, due, "")
        for enquiry_id, received, due in clocks.values_list("enquiry_id", "received_on", "due_on")
    ]
    return sorted(items, key=lambda i: (i.due_on, i.received_on, i.kind, i.pk))
