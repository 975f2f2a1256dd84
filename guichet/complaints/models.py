"""Complaints and comments to the Commissaire aux plaintes et à la qualité des services.

Sealed: only the members of the Commissaire's office (the global role `commissaire`) read them
(selectors.py is the only way in); the person who filed one while signed in reads their own.
The history is an append-only event table, from which the two clocks (acknowledgment within 2
business days, answer within 10, both from the date of reception, suspended while the office
waits for information from the complainant) are derived (clocks.py).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import ANONYMIZED
from guichet.append_only import AppendOnly


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Plainte")
    COMMENT = "comment", _("Commentaire ou suggestion")


class Channel(models.TextChoices):
    WEB = "web", _("En ligne")
    MAIL = "mail", _("Par la poste")
    PHONE = "phone", _("Par téléphone")


class Subject(models.TextChoices):
    COURTESY = "courtesy", _("Courtoisie")
    DELAYS = "delays", _("Délais")
    DECISION = "decision", _("Décision")
    INFORMATION = "information", _("Information")
    ACCESSIBILITY = "accessibility", _("Accessibilité")
    LANGUAGE = "language", _("Langue")
    CONFIDENTIALITY = "confidentiality", _("Confidentialité")
    OTHER = "other", _("Autre")


class State(models.TextChoices):
    RECEIVED = "received", _("Reçue")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    WAITING = "waiting", _("En attente de renseignements")
    ANSWERED = "answered", _("Réponse envoyée")


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("Fondée")
    PARTLY_FOUNDED = "partly_founded", _("Partiellement fondée")
    UNFOUNDED = "unfounded", _("Non fondée")


class Complaint(models.Model):
    """A complaint or a comment, by whoever sent it and however it came."""

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("mode de réception"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("date de réception"))
    subject = models.CharField(_("objet"), max_length=20, choices=Subject.choices)
    text = models.TextField(_("description"))
    # A complaint about a dossier is linked to it (by its owner, or by the office).
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier visé"),
    )
    # The unit concerned: the dossier's, or the one the office names.
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unité visée"),
    )
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte de la personne"),
    )
    contact_name = models.CharField(_("nom"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse courriel"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    contact_address = models.TextField(_("adresse postale"), blank=True)
    state = models.CharField(
        _("étape"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    acknowledged_on = models.DateField(_("accusé de réception le"), null=True, blank=True)
    answered_on = models.DateField(_("réponse le"), null=True, blank=True)
    outcome = models.CharField(_("conclusion"), max_length=20, choices=Outcome.choices, blank=True)
    findings = models.TextField(_("constats"), blank=True)
    changes = models.TextField(_("ce qui changera"), blank=True)
    created_at = models.DateTimeField(_("inscrite le"), default=timezone.now)

    PERSONAL_FIELDS: ClassVar[dict[str, Any]] = {
        "text": ANONYMIZED,
        "complainant": None,
        "contact_name": ANONYMIZED,
        "contact_email": "",
        "contact_phone": "",
        "contact_address": "",
        "findings": ANONYMIZED,
        "dossier": None,
    }
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "number",
        "kind",
        "channel",
        "received_on",
        "subject",
        "unit",
        "state",
        "acknowledged_on",
        "answered_on",
        "outcome",
        "changes",
        "created_at",
    )

    class Meta:
        verbose_name = _("plainte ou commentaire")
        verbose_name_plural = _("plaintes et commentaires")
        ordering: ClassVar[list[str]] = ["-received_on", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["received_on"], name="complaint_received"),
            models.Index(fields=["answered_on"], name="complaint_answered"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_complaint(self) -> bool:
        return self.kind == Kind.COMPLAINT

    def anonymize(self) -> list[str]:
        for name, value in self.PERSONAL_FIELDS.items():
            setattr(self, name, value)
        return list(self.PERSONAL_FIELDS)


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Reçue")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    INFO_REQUESTED = "info_requested", _("Renseignements demandés à la personne")
    INFO_RECEIVED = "info_received", _("Renseignements reçus")
    ANSWERED = "answered", _("Réponse envoyée")
    RECOMMENDED = "recommended", _("Recommandation à une unité")
    RECOMMENDATION_DONE = "recommendation_done", _("Recommandation mise en œuvre")
    DOSSIER_OPENED = "dossier_opened", _("Dossier visé consulté")


class ComplaintEvent(AppendOnly):
    """One line of a complaint's history; the clocks are derived from these."""

    record_name = "l'historique de la plainte"
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=30, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    note = models.TextField(_("note"), blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("note", "actor")
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "complaint",
        "kind",
        "occurred_on",
        "recorded_at",
    )

    class Meta:
        verbose_name = _("événement d'une plainte")
        verbose_name_plural = _("événements des plaintes")
        ordering: ClassVar[list[str]] = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.occurred_on}"


class Recommendation(models.Model):
    """What the Commissaire recommends to a unit after a founded complaint, followed until the
    unit reports it done. The unit learns the recommendation, never the complaint."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="recommendations"
    )
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unité")
    )
    text = models.TextField(_("recommandation"))
    made_on = models.DateField(_("faite le"))
    done_on = models.DateField(_("mise en œuvre le"), null=True, blank=True)
    done_report = models.TextField(_("compte rendu de l'unité"), blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "complaint",
        "unit",
        "text",
        "made_on",
        "done_on",
        "done_report",
    )

    class Meta:
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        ordering: ClassVar[list[str]] = ["made_on", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.unit_id}"
