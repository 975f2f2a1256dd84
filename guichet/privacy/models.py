"""Protection of personal information: legal holds, the register of confidentiality
incidents, and requests for access or rectification. The access log they read is the audit
app's (guichet/audit/models.py)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.append_only import AppendOnly


class LegalHold(models.Model):
    """While in force (not lifted), nothing about this dossier or this person is destroyed or
    anonymized, whatever the retention calendar says."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_holds",
        verbose_name=_("dossier"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_holds",
        verbose_name=_("personne"),
    )
    # What the hold was placed on, kept if the dossier is later destroyed: "dossier 2026-000012"
    # or "compte n° 42" (identifiers, never a name).
    target_label = models.CharField(_("objet"), max_length=60)
    reason = models.TextField(_("motif"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("placée par"),
    )
    placed_at = models.DateTimeField(_("placée le"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("levée par"),
    )
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("conservation légale")
        verbose_name_plural = _("conservations légales")
        ordering: ClassVar[list[str]] = ["-placed_at", "-id"]
        # Never both (legal_hold_place requires exactly one). Neither is possible: a lifted
        # hold outlives the dossier it was on, when the dossier is later destroyed.
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~(Q(dossier__isnull=False) & Q(person__isnull=False)),
                name="legal_hold_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.target_label

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class IncidentStatus(models.TextChoices):
    DETECTED = "detected", _("Détecté")
    ASSESSED = "assessed", _("Risque évalué")
    NOTIFIED = "notified", _("Avis transmis")
    CLOSED = "closed", _("Fermé")


class ConfidentialityIncident(models.Model):
    """One entry of the register of confidentiality incidents, with the eight pieces of
    information the Règlement sur les incidents de confidentialité requires (art. 7)."""

    # 1. The personal information involved, or why it cannot be described.
    information = models.TextField(_("renseignements personnels visés"), blank=True)
    information_unknown_reason = models.TextField(
        _("raison pour laquelle ils ne peuvent pas être décrits"), blank=True
    )
    # 2. The circumstances.
    circumstances = models.TextField(_("circonstances de l'incident"))
    # 3. When it happened (a date, a period, or an approximation of it).
    occurred_from = models.DateField(_("incident survenu le (ou à partir du)"))
    occurred_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    occurred_approximate = models.BooleanField(_("date ou période approximative"), default=False)
    # 4. When the ministry became aware of it.
    aware_from = models.DateField(_("connu de l'organisme le (ou à partir du)"))
    aware_to = models.DateField(_("jusqu'au"), null=True, blank=True)
    # 5. How many people (or an approximation).
    persons_concerned = models.PositiveIntegerField(
        _("nombre de personnes concernées"), null=True, blank=True
    )
    persons_approximate = models.BooleanField(_("nombre approximatif"), default=False)
    # 6. The assessment of the risk of serious injury.
    sensitivity = models.TextField(_("sensibilité des renseignements"), blank=True)
    consequences = models.TextField(_("conséquences appréhendées"), blank=True)
    likelihood = models.TextField(_("probabilité d'une utilisation préjudiciable"), blank=True)
    serious_risk = models.BooleanField(
        _("risque qu'un préjudice sérieux soit causé"), null=True, blank=True
    )
    # 7. When there is a risk of serious injury: the notices.
    commission_notified_on = models.DateField(
        _("avis à la Commission d'accès à l'information le"), null=True, blank=True
    )
    persons_notified_on = models.DateField(
        _("avis aux personnes concernées le"), null=True, blank=True
    )
    public_notice = models.BooleanField(_("avis public donné"), default=False)
    public_notice_reason = models.TextField(_("raison de l'avis public"), blank=True)
    # 8. The measures taken to reduce the risk of injury.
    measures = models.TextField(_("mesures prises pour diminuer les risques"), blank=True)

    status = models.CharField(
        _("étape"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.DETECTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    assessed_at = models.DateTimeField(_("risque évalué le"), null=True, blank=True)
    notified_at = models.DateTimeField(_("avis inscrits le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("fermé le"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("incident de confidentialité")
        verbose_name_plural = _("registre des incidents de confidentialité")
        ordering: ClassVar[list[str]] = ["-aware_from", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"INC-{self.created_at:%Y}-{self.pk or 0:04d}"


# --- Requests for access to, or rectification of, personal information ---------------------


class InfoRequestKind(models.TextChoices):
    ACCESS = "access", _("Accès à mes renseignements personnels")
    RECTIFICATION = "rectification", _("Rectification de renseignements personnels")


class InfoRequest(models.Model):
    """A person's request for access to, or rectification of, their personal information.

    The row holds what the person asked; it never changes. Everything that happens next —
    the extension, the answer — is an `InfoRequestEvent`, and the due date is computed from
    them (`deadlines.py`)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="info_requests",
        verbose_name=_("personne"),
    )
    kind = models.CharField(_("demande"), max_length=20, choices=InfoRequestKind.choices)
    received_on = models.DateField(_("date de réception"))
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    # Access: what the person wants in particular (empty: everything). Rectification: what
    # is wrong.
    details = models.TextField(_("précisions"), blank=True)
    # Rectification: what it should be.
    correction = models.TextField(_("renseignement exact"), blank=True)
    dossier_number = models.CharField(_("dossier visé"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("demande d'accès ou de rectification")
        verbose_name_plural = _("demandes d'accès ou de rectification")
        ordering: ClassVar[list[str]] = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DRP-{self.received_on:%Y}-{self.pk or 0:05d}"


class InfoRequestEventKind(models.TextChoices):
    RECEIVED = "received", _("Demande reçue")
    EXTENDED = "extended", _("Délai prolongé de 10 jours")
    ANSWERED = "answered", _("Renseignements transmis")
    RECTIFIED = "rectified", _("Rectification faite")
    REFUSED = "refused", _("Rectification refusée")


ANSWER_EVENTS = (
    InfoRequestEventKind.ANSWERED,
    InfoRequestEventKind.RECTIFIED,
    InfoRequestEventKind.REFUSED,
)


class InfoRequestEvent(AppendOnly):
    record_name = "l'historique d'une demande"

    """One step of a request's history. Rows are only ever inserted: `save()` refuses an
    existing row, and the database refuses UPDATE (migration 0004)."""

    request = models.ForeignKey(InfoRequest, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("rang"))
    kind = models.CharField(_("étape"), max_length=20, choices=InfoRequestEventKind.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("inscrite le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("étape d'une demande")
        verbose_name_plural = _("étapes des demandes")
        ordering: ClassVar[list[str]] = ["request", "seq"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["request", "seq"], name="info_request_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.seq} {self.kind}"

    def summary(self) -> str:
        """The step's details in one line, for the history tables."""
        d = self.details
        if d.get("dossier"):
            return f"dossier {d['dossier']}, {d.get('field', '')}"
        for key in ("reason", "reasons", "message"):
            if d.get(key):
                return str(d[key])
        return ""


class InfoRequestFileKind(models.TextChoices):
    EXTENSION_NOTICE = "extension_notice", _("Avis de prolongation du délai")
    ANSWER = "answer", _("Lettre de réponse")
    EXPORT_JSON = "export_json", _("Vos renseignements (fichier structuré JSON)")
    EXPORT_PDF = "export_pdf", _("Vos renseignements (document PDF)")


class InfoRequestFile(models.Model):
    """A letter or an export delivered with a request; the person downloads it from the
    request's page."""

    request = models.ForeignKey(InfoRequest, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("sorte"), max_length=20, choices=InfoRequestFileKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="privacy/requests/%Y/%m/")
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    event_seq = models.PositiveIntegerField(_("étape"))
    created_at = models.DateTimeField(_("produit le"), default=timezone.now)
    notified_at = models.DateTimeField(_("personne avisée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("fichier d'une demande")
        verbose_name_plural = _("fichiers des demandes")
        ordering: ClassVar[list[str]] = ["request", "event_seq", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return "json" if self.content_type == "application/json" else "pdf"
