"""Satisfaction surveys: who agreed to be asked, the invitations sent, and the answers.

Answers are anonymous: a `Response` keeps the service, the unit, the kind of contact and the
ratings, never the person nor the invitation it came from (the invitation only records that
it was used). Figures are shown only for groups of at least 5 answers (results.py).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyConsent(models.Model):
    """A client's choice to be asked about their satisfaction (no by default: privacy by
    default, the choice is the client's, on their account page)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_consent"
    )
    agreed = models.BooleanField(_("accepte d'être sondé"), default=False)
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("user", "agreed", "changed_at")
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = ("id",)

    class Meta:
        verbose_name = _("consentement aux sondages")
        verbose_name_plural = _("consentements aux sondages")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.agreed}"


class Source(models.TextChoices):
    DOSSIER_DECIDED = "dossier_decided", _("Décision rendue sur un dossier")
    MEETING_HELD = "meeting_held", _("Rencontre tenue")
    ENQUIRY_ANSWERED = "enquiry_answered", _("Demande de renseignements répondue")


class Invitation(models.Model):
    """One invitation to answer the questionnaire, by e-mail, with a single-use link."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("occasion"), max_length=30, choices=Source.choices)
    source_ref = models.CharField(_("référence"), max_length=40)
    service_code = models.SlugField(_("service"), max_length=60)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Only a keyed hash of the link's secret (services.invitation_token_hash): a copy of the
    # table does not give the links back.
    token_hash = models.CharField(max_length=64, unique=True)
    sent_on = models.DateField(_("envoyée le"))
    answered = models.BooleanField(_("répondue"), default=False)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("person", "source_ref", "token_hash")
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "source",
        "service_code",
        "unit",
        "sent_on",
        "answered",
    )

    class Meta:
        verbose_name = _("invitation à un sondage")
        verbose_name_plural = _("invitations aux sondages")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], name="one_invitation_per_source"
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "sent_on"], name="invitation_person_sent")
        ]

    # The secret of the link, set by `survey_invite` on the invitation it returns, never saved.
    link_token: str = ""

    def __str__(self) -> str:
        return f"{self.source} {self.source_ref}"


class Agreement(models.IntegerChoices):
    """A rating: 1 and 2 are satisfied; 0 is "does not apply" (not counted)."""

    STRONGLY_AGREE = 1, _("Tout à fait d'accord")
    AGREE = 2, _("Plutôt d'accord")
    DISAGREE = 3, _("Plutôt en désaccord")
    STRONGLY_DISAGREE = 4, _("Tout à fait en désaccord")
    NOT_APPLICABLE = 0, _("Ne s'applique pas")


class Satisfaction(models.IntegerChoices):
    VERY = 1, _("Très satisfait")
    RATHER = 2, _("Plutôt satisfait")
    RATHER_NOT = 3, _("Plutôt insatisfait")
    NOT_AT_ALL = 4, _("Très insatisfait")


class Response(models.Model):
    """One anonymous answer to the questionnaire."""

    source = models.CharField(_("occasion"), max_length=30, choices=Source.choices)
    service_code = models.SlugField(_("service"), max_length=60)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField(_("reçue le"))
    courtesy = models.PositiveSmallIntegerField(choices=Agreement.choices)
    clear_language = models.PositiveSmallIntegerField(choices=Agreement.choices)
    complete_information = models.PositiveSmallIntegerField(choices=Agreement.choices)
    decision_explained = models.PositiveSmallIntegerField(choices=Agreement.choices)
    appointment_time = models.PositiveSmallIntegerField(choices=Agreement.choices)
    right_referral = models.PositiveSmallIntegerField(choices=Agreement.choices)
    overall = models.PositiveSmallIntegerField(choices=Satisfaction.choices)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL: ClassVar[tuple[str, ...]] = (
        "id",
        "source",
        "service_code",
        "unit",
        "submitted_on",
        "courtesy",
        "clear_language",
        "complete_information",
        "decision_explained",
        "appointment_time",
        "right_referral",
        "overall",
    )

    class Meta:
        verbose_name = _("réponse à un sondage")
        verbose_name_plural = _("réponses aux sondages")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["submitted_on"], name="response_submitted")
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.submitted_on}"
