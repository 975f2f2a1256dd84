"""The declaration of services as data: versions, groups, services and their commitments.

A declaration is loaded from a file (see `declarations/` and `services.declaration_load`) and
never edited in place: a new version is loaded beside the old one, and a dossier is measured
against the version in force on its date of reception.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    PERSON = "person", _("Personne")
    BUSINESS = "business", _("Entreprise")
    CONSULTANT = "consultant", _("Consultant en immigration")


class ServiceKind(models.TextChoices):
    APPLICATION = "application", _("Demande")
    APPOINTMENT = "appointment", _("Rendez-vous")
    GROUP_SESSION = "group_session", _("Séance de groupe")
    INFORMATION = "information", _("Information")
    ENQUIRY = "enquiry", _("Demande de renseignements")


class CommitmentUnit(models.TextChoices):
    BUSINESS_DAYS = "business_days", _("jours ouvrables")
    SECONDS = "seconds", _("secondes")


class ClockEvent(models.TextChoices):
    """Events that start or stop a commitment's clock; dossiers record them."""

    RECEIVED = "received", _("Réception de la demande")
    ACKNOWLEDGED = "acknowledged", _("Lettre d'ouverture ou accusé de réception envoyé")
    DECIDED = "decided", _("Décision rendue")
    ADMISSIBILITY_NOTICE_SENT = "admissibility_notice_sent", _("Avis d'admissibilité envoyé")
    ADMISSIBILITY_CONFIRMED = "admissibility_confirmed", _("Admissibilité confirmée")
    COURSE_STARTED = "course_started", _("Début du cours")
    MEETING_HELD = "meeting_held", _("Rencontre tenue")
    SESSION_HELD = "session_held", _("Séance tenue")
    ACCOMPANIMENT_STARTED = "accompaniment_started", _("Début de l'accompagnement")
    CALL_QUEUED = "call_queued", _("Appel mis en file d'attente")
    CALL_ANSWERED = "call_answered", _("Appel répondu")
    ANSWERED = "answered", _("Réponse envoyée")
    # The punctuality of meetings: from the appointment time to the start, in seconds.
    APPOINTMENT_TIME = "appointment_time", _("Heure du rendez-vous")
    MEETING_STARTED = "meeting_started", _("Début de la rencontre")


def in_active_language(fr: str, en: str, es: str) -> str:
    """The text in the active language, French when there is no version in it (ADR 0001)."""
    language = (get_language() or "fr")[:2]
    return {"en": en, "es": es}.get(language) or fr


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def in_force_on(self, day: date) -> "DeclarationQuerySet":
        """Versions whose period covers `day`, the newest first."""
        return self.filter(
            Q(in_force_to__isnull=True) | Q(in_force_to__gte=day), in_force_from__lte=day
        ).order_by("-in_force_from")


class Declaration(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    organization = models.CharField(_("organisme"), max_length=200)
    title = models.CharField(_("titre"), max_length=200)
    in_force_from = models.DateField(_("en vigueur à partir du"))
    in_force_to = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)
    source_name = models.CharField(_("fichier source"), max_length=200)
    checksum = models.CharField(_("empreinte SHA-256 du contenu"), max_length=64)
    loaded_at = models.DateTimeField(_("chargée le"), auto_now_add=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("déclaration de services")
        verbose_name_plural = _("déclarations de services")
        ordering = ["code", "-in_force_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="declaration_code_version"),
            models.UniqueConstraint(
                fields=["code", "in_force_from"], name="declaration_code_in_force_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code} {self.version})"


class ServiceGroup(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("rang"))
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200)
    name_es = models.CharField(_("nom (espagnol)"), max_length=200)

    class Meta:
        verbose_name = _("groupe de services")
        verbose_name_plural = _("groupes de services")
        ordering = ["declaration", "position"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "code"], name="group_code_per_version")
        ]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def localized_name(self) -> str:
        return in_active_language(self.name_fr, self.name_en, self.name_es)


class Service(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="services")
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("rang"))
    name_fr = models.CharField(_("nom (français)"), max_length=300)
    name_en = models.CharField(_("nom (anglais)"), max_length=300)
    name_es = models.CharField(_("nom (espagnol)"), max_length=300)
    audience = models.CharField(_("clientèle"), max_length=20, choices=Audience.choices)
    kind = models.CharField(_("nature"), max_length=20, choices=ServiceKind.choices)
    partner = models.BooleanField(_("offert avec des organismes partenaires"), default=False)
    fee_amount = models.DecimalField(
        _("frais exigés ($)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    fee_label_fr = models.CharField(_("libellé des frais"), max_length=200, blank=True)
    recourse_fr = models.TextField(_("recours"), blank=True)
    review_service_code = models.SlugField(_("service de révision"), max_length=60, blank=True)
    review_within_days = models.PositiveSmallIntegerField(
        _("délai pour demander la révision (jours civils)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["declaration", "position"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "code"], name="service_code_per_version")
        ]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def localized_name(self) -> str:
        return in_active_language(self.name_fr, self.name_en, self.name_es)


class RequiredDocument(models.Model):
    """One line of a service's checklist of documents."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(_("rang"))
    label_fr = models.CharField(_("document"), max_length=300)
    required = models.BooleanField(_("obligatoire"), default=True)

    class Meta:
        verbose_name = _("document exigé")
        verbose_name_plural = _("documents exigés")
        ordering = ["service", "position"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="document_code_per_service")
        ]

    def __str__(self) -> str:
        return self.label_fr


class Commitment(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="commitments")
    code = models.SlugField(_("code"), max_length=80)
    position = models.PositiveSmallIntegerField(_("rang"))
    label_fr = models.CharField(_("libellé publié"), max_length=400)
    target = models.PositiveIntegerField(_("cible"))
    unit = models.CharField(_("unité"), max_length=20, choices=CommitmentUnit.choices)
    starts_on = models.CharField(_("début du délai"), max_length=40, choices=ClockEvent.choices)
    stops_on = models.CharField(_("fin du délai"), max_length=40, choices=ClockEvent.choices)
    in_force_from = models.DateField(_("en vigueur à partir du"))
    in_force_to = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)
    performance_target = models.PositiveSmallIntegerField(
        _("cible de performance (%)"),
        null=True,
        blank=True,
        help_text=_("Part des délais qui devraient respecter l'engagement, en pour cent."),
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["service", "position"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="commitment_code_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.label_fr} ({self.target} {self.get_unit_display()})"


class QualitativeCommitment(models.Model):
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="qualitative_commitments"
    )
    code = models.SlugField(_("code"), max_length=80)
    position = models.PositiveSmallIntegerField(_("rang"))
    section = models.CharField(_("section"), max_length=200)
    text_fr = models.TextField(_("texte publié"))

    class Meta:
        verbose_name = _("engagement qualitatif")
        verbose_name_plural = _("engagements qualitatifs")
        ordering = ["declaration", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "code"], name="qualitative_code_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.text_fr


# What loading may still write on a version already loaded: the performance targets published
# after it, and the checksum of the file that brought them (`services._add_targets`). Nothing
# else of a loaded version ever changes; the per-process cache of services and commitments
# (`selectors.service_with_commitments`) keeps everything but these, and a test holds the
# loader to this list.
WRITTEN_AFTER_LOADING: dict[type[models.Model], tuple[str, ...]] = {
    Declaration: ("checksum",),
    Commitment: ("performance_target",),
}
