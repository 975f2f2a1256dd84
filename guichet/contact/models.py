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


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Répondu")
    ABANDONED = "abandoned", _("Abandonné")
    TIMEOUT = "timeout", _("Sorti après le délai d'attente maximal")
    KEY = "key", _("Sorti par une touche (message laissé)")
    EMPTY = "empty", _("Sorti : aucun agent dans la file")


class Call(models.Model):
    """A call in a queue; `entered_at` is when it entered the agents' queue (epoch seconds),
    `day` and `second_of_day` the same moment in local time (America/Toronto), which decide
    its office hours and its date."""

    callid = models.CharField(max_length=80)
    queue = models.CharField(max_length=80)
    entered_at = models.BigIntegerField(null=True)
    day = models.DateField(null=True)
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
        indexes = [models.Index(fields=["day", "queue"], name="contact_call_day_queue")]

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
