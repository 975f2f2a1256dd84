"""Mandates: a client lets a recognized immigration consultant act on one of their dossiers.

The register of consultants is the ministry's: who is recognized, under which number, from when
until when, and any suspension or revocation of the recognition. Whether a consultant is
recognized is a question about a day, answered from those dates (`recognized_on`), so that a
future end or suspension entered today takes effect by itself on its date.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def recognized_on(day: date, prefix: str = "") -> Q:
    """The consultants recognized on `day` (`prefix` reaches them through a relation, e.g.
    "consultant__"). `Consultant.is_recognized_on` says the same for one row."""

    def q(**lookup: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookup.items()})

    return (
        q(recognized_from__lte=day)
        & (q(recognized_until__isnull=True) | q(recognized_until__gte=day))
        & (q(suspended_from__isnull=True) | q(suspended_from__gt=day) | q(suspended_until__lt=day))
        & (q(revoked_on__isnull=True) | q(revoked_on__gt=day))
    )


class Consultant(models.Model):
    """An immigration consultant in the ministry's register of recognized consultants."""

    recognition_number = models.CharField(_("numéro de reconnaissance"), max_length=20, unique=True)
    full_name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse courriel professionnelle"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultant",
        verbose_name=_("compte Guichet"),
    )
    recognized_from = models.DateField(_("reconnu à partir du"))
    recognized_until = models.DateField(_("reconnu jusqu'au"), null=True, blank=True)
    suspended_from = models.DateField(_("suspendu à partir du"), null=True, blank=True)
    suspended_until = models.DateField(
        _("suspendu jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Vide : suspendu jusqu'à nouvel ordre."),
    )
    revoked_on = models.DateField(_("reconnaissance révoquée le"), null=True, blank=True)
    recognition_dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier de reconnaissance"),
    )

    class Meta:
        verbose_name = _("consultant en immigration reconnu")
        verbose_name_plural = _("registre des consultants en immigration reconnus")
        ordering = ["full_name", "recognition_number"]

    def __str__(self) -> str:
        return f"{self.full_name} (n° {self.recognition_number})"

    def is_recognized_on(self, day: date) -> bool:
        if day < self.recognized_from:
            return False
        if self.recognized_until is not None and day > self.recognized_until:
            return False
        if self.suspended_from is not None and self.suspended_from <= day:
            if self.suspended_until is None or day <= self.suspended_until:
                return False
        return self.revoked_on is None or day < self.revoked_on


class Mandate(models.Model):
    """A client's mandate to a consultant on one dossier, from when it was given until the
    client revokes it. It is usable only on the days the consultant is recognized."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        # Destroying a dossier (retention purge) destroys its mandates with it.
        on_delete=models.CASCADE,
        related_name="mandates",
        verbose_name=_("dossier"),
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("consultant")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("donné par"),
    )
    granted_at = models.DateTimeField(_("donné le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
    )
    # When the consultant was told by e-mail (a retried task sends nothing twice).
    grant_notified_at = models.DateTimeField(null=True, blank=True)
    revoke_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(revoked_at__isnull=True),
                name="one_unrevoked_mandate_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.consultant_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def in_force_on(self, day: date) -> bool:
        """Usable on `day`: not revoked, and the consultant recognized that day."""
        return not self.is_revoked and self.consultant.is_recognized_on(day)
