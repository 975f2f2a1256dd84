"""The contact centre: calls taken from the telephony platform's own records, voice mails and
e-mail enquiries, each with its clock (docs/contact.md).

A `Call` is one caller's passage through one queue, built from the platform's queue log: each
kind of event fills its own columns (entering the queue, leaving it answered or not, the end
of the conversation), so reading the same event again writes the same values and nothing
counts twice. Calls hold no personal information: the caller's number is not kept.
"""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.append_only import AppendOnly


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Répondu")
    ABANDONED = "abandoned", _("Abandonné")
    TIMEOUT = "timeout", _("Sorti après le délai d'attente maximal")
    KEY = "key", _("Sorti par une touche (message laissé)")
    EMPTY = "empty", _("Sorti : aucun agent dans la file")


class Call(models.Model):
    """A call in a queue; `entered_at` is when it entered the agents' queue (epoch seconds),
    `day` and `second_of_day` the same moment in local time (America/Toronto), which decide
    its office hours and its date (`weekday` is the day's, stored so that the database can
    tell office hours without a date function)."""

    callid = models.CharField(max_length=80)
    queue = models.CharField(max_length=80)
    entered_at = models.BigIntegerField(null=True)
    day = models.DateField(null=True)
    weekday = models.PositiveSmallIntegerField(null=True)  # of `day`, 1 (Monday) to 7
    second_of_day = models.IntegerField(null=True)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    wait_s = models.IntegerField(null=True)
    talk_s = models.IntegerField(null=True)
    agent = models.CharField(max_length=80, blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "callid",
        "queue",
        "entered_at",
        "day",
        "weekday",
        "second_of_day",
        "outcome",
        "wait_s",
        "talk_s",
        "agent",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["callid", "queue"], name="contact_call_once_per_queue")
        ]
        # Covering the telephone figures (telephony.py): a period's calls are read from the
        # index alone, in order of date.
        indexes = [
            models.Index(
                fields=[
                    "day",
                    "queue",
                    "weekday",
                    "second_of_day",
                    "outcome",
                    "wait_s",
                    "entered_at",
                ],
                name="contact_call_figures",
            )
        ]

    def __str__(self) -> str:
        return f"{self.callid} ({self.queue})"


class MemberEventKind(models.TextChoices):
    LOGIN = "login", _("Agent connecté à la file")
    LOGOFF = "logoff", _("Agent déconnecté de la file")


class MemberEvent(models.Model):
    """An agent joining or leaving a queue (ADDMEMBER/REMOVEMEMBER, AGENTLOGIN/AGENTLOGOFF)."""

    at = models.BigIntegerField()
    queue = models.CharField(max_length=80)
    agent = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=MemberEventKind.choices)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id", "at", "queue", "agent", "kind")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["at", "queue", "agent", "kind"], name="contact_member_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.kind} {self.queue}"


class LogSource(models.Model):
    """How far a telephony log file has been read: the byte offset after the last whole line
    consumed, and the SHA-256 of those bytes, so that a file that grew is read on from there
    and a file that was replaced (rotated, truncated) is read again from the start."""

    path = models.CharField(max_length=500, unique=True)
    offset = models.BigIntegerField(default=0)
    prefix_sha256 = models.CharField(max_length=64, blank=True)
    lines = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "path",
        "offset",
        "prefix_sha256",
        "lines",
        "updated_at",
    )

    def __str__(self) -> str:
        return self.path

    def describe(self) -> dict[str, Any]:
        return {"path": self.path, "offset": self.offset, "lines": self.lines}


class ContactChannel(models.TextChoices):
    VOICE_MAIL = "voice_mail", _("Boîte vocale")
    EMAIL = "email", _("Courriel")


class VoiceMessage(models.Model):
    """A message left in the platform's voice-mail store. Its clock: R = the local date it was
    left (`received_on`), due `due_on` (1 business day); it stops when an agent records the
    call back (`answered_at`)."""

    source_key = models.CharField(max_length=300, unique=True)  # mailbox/folder/msgNNNN@origtime
    mailbox = models.CharField(max_length=80)
    received_at = models.DateTimeField()
    received_on = models.DateField()
    due_on = models.DateField()
    callerid = models.CharField(max_length=200, blank=True)
    duration_s = models.IntegerField(default=0)
    audio = models.FileField(upload_to="contact/voicemail/%Y/%m/", blank=True)
    audio_type = models.CharField(max_length=40, blank=True)
    transcript = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_note = models.TextField(blank=True)

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "callerid": "",
        "audio": "",
        "transcript": "",
        "answer_note": "",
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "source_key",
        "mailbox",
        "received_at",
        "received_on",
        "due_on",
        "duration_s",
        "audio_type",
        "answered_at",
        "answered_on",
        "answered_by",
    )

    class Meta:
        indexes = [models.Index(fields=["answered_on", "due_on"], name="contact_vm_open_due")]

    def __str__(self) -> str:
        return f"{_('Message vocal')} {self.pk}"


class Enquiry(models.Model):
    """An e-mail enquiry: a thread of messages with the same correspondent. Each message that
    opens or reopens it starts a clock (`EnquiryClock`); the answer sent stops it."""

    subject = models.CharField(max_length=300, blank=True)
    correspondent = models.EmailField(max_length=254)
    correspondent_name = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    open = models.BooleanField(default=True)

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "subject": "",
        "correspondent": "anonymise@invalid",
        "correspondent_name": "",
        "dossier": None,
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id", "received_at", "open")

    class Meta:
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"{_('Demande par courriel')} {self.pk}"


class EnquiryClock(models.Model):
    """One clock of an enquiry: R = the local date the message arrived, due 5 business days
    later; stopped by the answer sent."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="clocks")
    received_on = models.DateField()
    due_on = models.DateField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "enquiry",
        "received_on",
        "due_on",
        "answered_at",
        "answered_on",
    )

    def __str__(self) -> str:
        return f"{self.enquiry_id}: {self.received_on}"


class Direction(models.TextChoices):
    IN = "in", _("Reçu")
    OUT = "out", _("Envoyé")


class EnquiryMessage(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_id = models.CharField(max_length=300, unique=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    sender = models.CharField(max_length=300)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    at = models.DateTimeField()
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledgment = models.BooleanField(default=False)

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "sender": "",
        "recipients": "",
        "subject": "",
        "body": "",
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "enquiry",
        "direction",
        "message_id",
        "in_reply_to",
        "references",
        "at",
        "author",
        "acknowledgment",
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.message_id


class EnquiryAttachment(models.Model):
    """A file that came with a message: kept when it passes the same checks as an upload
    (guichet/dossiers/uploads.py), otherwise only its name and why it was set aside."""

    message = models.ForeignKey(
        EnquiryMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="contact/attachments/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.IntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    refused = models.CharField(max_length=300, blank=True)

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {"name": "", "file": ""}
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "message",
        "content_type",
        "size",
        "sha256",
        "refused",
    )

    def __str__(self) -> str:
        return self.name


class ReplyTemplate(models.Model):
    """A model answer agents start from (kept by supervisors in the admin)."""

    name = models.CharField(max_length=120, unique=True)
    body = models.TextField()

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id", "name", "body")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MailboxState(models.Model):
    """How far an IMAP folder has been read: its UIDVALIDITY and the last UID taken."""

    key = models.CharField(max_length=300, unique=True)  # user@host/folder
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id", "key", "uidvalidity", "last_uid")

    def __str__(self) -> str:
        return self.key


class ContactEventKind(models.TextChoices):
    RECEIVED = "received", _("Message reçu")
    TRANSCRIBED = "transcribed", _("Transcription enregistrée")
    CALLED_BACK = "called_back", _("Rappel effectué")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    JOINED = "joined", _("Message joint au fil")
    ANSWERED = "answered", _("Réponse envoyée")
    LINKED = "linked", _("Lié à un dossier")
    DESTROYED = "destroyed", _("Détruit (calendrier de conservation)")


class ContactEvent(AppendOnly):
    """The history of voice messages and enquiries: who did what, when. Codes only."""

    record_name = "l'historique du centre de contact"

    channel = models.CharField(max_length=12, choices=ContactChannel.choices)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=ContactEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id", "channel", "item_id", "kind", "at", "actor")

    class Meta:
        indexes = [models.Index(fields=["channel", "item_id"], name="contact_event_item")]

    def __str__(self) -> str:
        return f"{self.channel} {self.item_id} {self.kind}"
