"""Every state change of the contact centre's voice messages and e-mail enquiries.

Each service is keyword-only, atomic, and writes the item's event (`ContactEvent`) itself.
Clocks follow the dossiers' rule (DOMAIN "How the clock counts"): R = the local date the
message arrived, whatever the hour, is day 0; the due date is the N-th business day after it;
the clock stops on the local date the call back is recorded or the answer is sent.
"""

from __future__ import annotations

import configparser
import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid, parseaddr, parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage as DjangoEmail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.calendars.services import business_calendar
from guichet.contact.models import (
    ContactChannel,
    ContactEvent,
    ContactEventKind,
    Direction,
    Enquiry,
    EnquiryAttachment,
    EnquiryClock,
    EnquiryMessage,
    VoiceMessage,
)
from guichet.dossiers.models import Dossier
from guichet.dossiers.uploads import UploadError, check_upload

VOICE_MAIL_DAYS = 1
EMAIL_DAYS = 5
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".gsm": "audio/x-gsm",
}


class ContactError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


def due_on(received_on: date, days: int) -> date:
    cal = business_calendar()
    return cal.business_day(cal.ordinal(received_on) + days)


def _event(
    channel: str, item_id: int, kind: str, actor: User | None, at: datetime | None = None
) -> None:
    ContactEvent.objects.create(
        channel=channel, item_id=item_id, kind=kind, at=at or timezone.now(), actor=actor
    )


# --- Voice mail ---------------------------------------------------------------------------


@dataclass
class VoiceMailImport:
    created: int = 0
    known: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def _read_msg_txt(path: Path) -> tuple[int, str, int]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error as error:
        raise ValueError(
            _("fichier illisible : %(e)s") % {"e": str(error).splitlines()[0]}
        ) from None
    if not parser.has_section("message"):
        raise ValueError(_("pas de section [message]"))
    section = parser["message"]
    try:
        origtime = int(section.get("origtime", ""))
    except ValueError:
        raise ValueError(_("origtime absent ou illisible")) from None
    try:
        duration = int(section.get("duration", "0") or 0)
    except ValueError:
        raise ValueError(_("duration illisible")) from None
    return origtime, section.get("callerid", "").strip(), duration


def voicemail_import(*, root: Path, actor: User | None = None) -> VoiceMailImport:
    """Import every `msgNNNN.txt` under `root` (Asterisk's store: context/mailbox/folder/)
    with the audio file beside it. A message already imported (same place, same origtime) is
    left as it is; a file that cannot be read is reported and skipped."""
    result = VoiceMailImport()
    for meta in sorted(root.rglob("msg*.txt")):
        relative = meta.relative_to(root)
        try:
            origtime, callerid, duration = _read_msg_txt(meta)
        except ValueError as error:
            result.errors.append((str(relative), str(error)))
            continue
        key = f"{relative.with_suffix('')}@{origtime}"
        if VoiceMessage.objects.filter(source_key=key).exists():
            result.known += 1
            continue
        audio = next(
            (
                meta.with_suffix(s)
                for s in (".wav", ".WAV", ".mp3", ".ogg", ".gsm")
                if meta.with_suffix(s).is_file()
            ),
            None,
        )
        parts = relative.parts
        mailbox = "/".join(parts[-3:-2] or parts[:1])
        _voice_message_create(
            key=key,
            mailbox=mailbox,
            origtime=origtime,
            callerid=callerid,
            duration=duration,
            audio=audio,
            actor=actor,
        )
        result.created += 1
    return result


@transaction.atomic
def _voice_message_create(
    *,
    key: str,
    mailbox: str,
    origtime: int,
    callerid: str,
    duration: int,
    audio: Path | None,
    actor: User | None,
) -> VoiceMessage:
    received_at = datetime.fromtimestamp(origtime, tz=timezone.get_current_timezone())
    received_on = timezone.localdate(received_at)
    message = VoiceMessage(
        source_key=key,
        mailbox=mailbox,
        received_at=received_at,
        received_on=received_on,
        due_on=due_on(received_on, VOICE_MAIL_DAYS),
        callerid=callerid[:200],
        duration_s=max(0, duration),
    )
    if audio is not None:
        message.audio_type = AUDIO_TYPES.get(audio.suffix.lower(), "application/octet-stream")
        message.audio.save(
            f"{Path(key).name.split('@')[0]}{audio.suffix.lower()}",
            ContentFile(audio.read_bytes()),
            save=False,
        )
    message.save()
    _event(ContactChannel.VOICE_MAIL, message.pk, ContactEventKind.RECEIVED, actor, received_at)
    return message


@transaction.atomic
def voice_message_transcribe(*, message: VoiceMessage, transcript: str, actor: User) -> None:
    """Record what the message says (for people who cannot listen to it)."""
    VoiceMessage.objects.filter(pk=message.pk).update(transcript=transcript.strip())
    message.transcript = transcript.strip()
    _event(ContactChannel.VOICE_MAIL, message.pk, ContactEventKind.TRANSCRIBED, actor)


@transaction.atomic
def voice_message_call_back(*, message: VoiceMessage, note: str, actor: User) -> None:
    """The agent called the person back: the clock stops today."""
    locked = VoiceMessage.objects.select_for_update().get(pk=message.pk)
    if locked.answered_at is not None:
        raise ContactError(_("Ce message a déjà reçu son rappel ; rien n'a été changé."))
    now = timezone.now()
    locked.answered_at, locked.answered_on = now, timezone.localdate(now)
    locked.answered_by, locked.answer_note = actor, note.strip()
    locked.save(update_fields=["answered_at", "answered_on", "answered_by", "answer_note"])
    _event(ContactChannel.VOICE_MAIL, locked.pk, ContactEventKind.CALLED_BACK, actor, now)
    message.answered_at, message.answered_on = locked.answered_at, locked.answered_on


# --- E-mail enquiries -----------------------------------------------------------------------

_ID = re.compile(r"<[^<>\s]+>")


def _ids(value: str | None) -> list[str]:
    return _ID.findall(value or "")


@dataclass
class Received:
    enquiry: Enquiry
    message: EnquiryMessage
    created: bool  # a new message (False: this Message-ID was known)
    opened: bool  # it opened or reopened the enquiry (a clock started)


def _text_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return str(text).strip()


def enquiry_receive(*, raw: bytes, actor: User | None = None) -> Received:
    """One incoming message (RFC 5322 bytes, from the mailbox or an uploaded .eml): a reply in
    the thread of a known message (In-Reply-To, References) joins its enquiry, reopening it
    with a new clock when it was answered; any other message opens an enquiry, and the
    correspondent is sent an acknowledgment saying when to expect the answer."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)  # noqa: S101 (the default policy's class)
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [make_msgid(domain="guichet.invalid")])[0]
    known = EnquiryMessage.objects.filter(message_id=message_id).select_related("enquiry").first()
    if known is not None:
        return Received(known.enquiry, known, created=False, opened=False)
    try:
        return _enquiry_receive(msg, message_id, actor)
    except IntegrityError:  # the same message read at the same moment by another import
        known = EnquiryMessage.objects.select_related("enquiry").get(message_id=message_id)
        return Received(known.enquiry, known, created=False, opened=False)


@transaction.atomic
def _enquiry_receive(msg: EmailMessage, message_id: str, actor: User | None) -> Received:
    name, address = parseaddr(str(msg.get("From", "")))
    try:
        at = parsedate_to_datetime(str(msg.get("Date", "")))
        if at.tzinfo is None:
            at = timezone.make_aware(at)
    except (TypeError, ValueError):
        at = timezone.now()
    # The message reached the ministry when Guichet got it, never later than now.
    at = min(at, timezone.now())
    in_reply_to = (_ids(str(msg.get("In-Reply-To", ""))) or [""])[0]
    references = _ids(str(msg.get("References", "")))
    thread = [i for i in [in_reply_to, *reversed(references)] if i]
    parent = (
        EnquiryMessage.objects.filter(message_id__in=thread).select_related("enquiry").first()
        if thread
        else None
    )
    subject = str(msg.get("Subject", ""))[:300]
    received_on = timezone.localdate(at)
    opened = False
    if parent is None:
        enquiry = Enquiry.objects.create(
            subject=subject,
            correspondent=address[:254],
            correspondent_name=name[:200],
            received_at=at,
        )
        opened = True
    else:
        enquiry = Enquiry.objects.select_for_update().get(pk=parent.enquiry_id)
        if not enquiry.open:
            enquiry.open = True
            enquiry.save(update_fields=["open"])
            opened = True
    message = EnquiryMessage.objects.create(
        enquiry=enquiry,
        direction=Direction.IN,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(references),
        sender=str(msg.get("From", ""))[:300],
        recipients=", ".join(a for _n, a in getaddresses([str(v) for v in msg.get_all("To", [])])),
        subject=subject,
        body=_text_body(msg),
        at=at,
    )
    for part in msg.iter_attachments():
        _keep_attachment(message, part)
    if opened:
        clock = EnquiryClock.objects.create(
            enquiry=enquiry, received_on=received_on, due_on=due_on(received_on, EMAIL_DAYS)
        )
    _event(
        ContactChannel.EMAIL,
        enquiry.pk,
        ContactEventKind.RECEIVED if parent is None else ContactEventKind.JOINED,
        actor,
        at,
    )
    if parent is None and address and not _automatic(msg):
        _acknowledge(enquiry, message, clock)
    return Received(enquiry, message, created=True, opened=opened)


def _keep_attachment(message: EnquiryMessage, part: EmailMessage) -> None:
    name = (part.get_filename() or _("piece-jointe"))[:255]
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    upload = SimpleUploadedFile(name, data, content_type=part.get_content_type())
    try:
        checked = check_upload(upload)
    except UploadError as error:
        EnquiryAttachment.objects.create(
            message=message, name=name, size=len(data), refused=str(error)[:300]
        )
        return
    attachment = EnquiryAttachment(
        message=message,
        name=name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    attachment.file.save(
        f"{checked.sha256[:16]}.{checked.extension}", ContentFile(data), save=False
    )
    attachment.save()


def _from_address() -> str:
    return settings.GUICHET_CONTACT_FROM


def _send(
    enquiry: Enquiry,
    *,
    subject: str,
    body: str,
    reply_to: EnquiryMessage,
    author: User | None,
    ack: bool,
) -> EnquiryMessage:
    """Send an e-mail in the enquiry's thread and record it; raises if the server refuses."""
    sender = _from_address()
    domain = sender.rpartition("@")[2] or "guichet.invalid"
    message_id = make_msgid(domain=domain)
    references = [*reply_to.references.split(), reply_to.message_id]
    mail = DjangoEmail(
        subject=subject,
        body=body,
        from_email=sender,
        to=[enquiry.correspondent],
        headers={
            "Message-ID": message_id,
            "In-Reply-To": reply_to.message_id,
            "References": " ".join(references),
            "Auto-Submitted": "auto-replied" if ack else "no",
        },
    )
    mail.send(fail_silently=False)
    return EnquiryMessage.objects.create(
        enquiry=enquiry,
        direction=Direction.OUT,
        message_id=message_id,
        in_reply_to=reply_to.message_id,
        references=" ".join(references),
        sender=sender,
        recipients=enquiry.correspondent,
        subject=subject[:300],
        body=body,
        at=timezone.now(),
        author=author,
        acknowledgment=ack,
    )


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "re :")) else f"RE : {subject}".strip()


def acknowledgment_text(due: date) -> str:
    with translation.override("fr"):
        return _(
            "Bonjour,\n\nNous avons bien reçu votre courriel. Notre engagement : vous répondre "
            "dans un délai de 5 jours ouvrables, soit au plus tard le %(due)s.\n\n"
            "Ce message est envoyé automatiquement ; pour compléter votre demande, répondez "
            "simplement à ce courriel.\n"
        ) % {"due": due.strftime("%d/%m/%Y")}


def _automatic(msg: EmailMessage) -> bool:
    """A message sent by a program (an auto-reply, a list): never acknowledged (RFC 3834)."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in ("bulk", "list", "junk")


def _acknowledge(enquiry: Enquiry, message: EnquiryMessage, clock: EnquiryClock) -> None:
    _send(
        enquiry,
        subject=_reply_subject(enquiry.subject),
        body=acknowledgment_text(clock.due_on),
        reply_to=message,
        author=None,
        ack=True,
    )
    _event(ContactChannel.EMAIL, enquiry.pk, ContactEventKind.ACKNOWLEDGED, None)


@transaction.atomic
def enquiry_answer(*, enquiry: Enquiry, body: str, actor: User) -> EnquiryMessage:
    """Send the agent's answer by SMTP in the thread (Message-ID, In-Reply-To, References) and
    stop the open clock today. Nothing is recorded if the mail server refuses the message."""
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if not body.strip():
        raise ContactError(_("La réponse est vide ; rien n'a été envoyé."))
    last_in = locked.messages.filter(direction=Direction.IN).order_by("-at", "-pk").first()
    if last_in is None:
        raise ContactError(_("Cette demande n'a aucun message reçu."))
    sent = _send(
        locked,
        subject=_reply_subject(locked.subject),
        body=body.strip() + "\n",
        reply_to=last_in,
        author=actor,
        ack=False,
    )
    clock = locked.clocks.filter(answered_at__isnull=True).order_by("-pk").first()
    if clock is not None:
        clock.answered_at, clock.answered_on = sent.at, timezone.localdate(sent.at)
        clock.save(update_fields=["answered_at", "answered_on"])
    locked.open = False
    locked.save(update_fields=["open"])
    enquiry.open = False
    _event(ContactChannel.EMAIL, locked.pk, ContactEventKind.ANSWERED, actor, sent.at)
    return sent


@transaction.atomic
def enquiry_link_dossier(*, enquiry: Enquiry, dossier: Dossier, actor: User) -> None:
    """Link the enquiry to a dossier the agent may see (the view gets it through the dossiers'
    access-scoped getter, which logs the read)."""
    Enquiry.objects.filter(pk=enquiry.pk).update(dossier=dossier)
    enquiry.dossier = dossier
    _event(ContactChannel.EMAIL, enquiry.pk, ContactEventKind.LINKED, actor)
