"""The closure calendar as versioned data.

Rows are never updated in place: a closure day is recorded, and later retired (when it is
removed or renamed, a new row replaces it). The calendar as known at any instant T is the set of
rows recorded at or before T and not retired by T, so a due date computed before a change can be
recomputed and explained exactly as it was.

A year is *confirmed* once a `CalendarYear` row exists for it (loaded from `calendars/`, or
confirmed by a person); any other year comes from the rule and is provisional.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    confirmed_at = models.DateTimeField(_("confirmée le"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmée par"),
    )
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("année confirmée")
        verbose_name_plural = _("années confirmées")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class ClosureDayQuerySet(models.QuerySet["ClosureDay"]):
    def current(self) -> "ClosureDayQuerySet":
        return self.filter(retired_at__isnull=True)

    def known_at(self, instant: datetime) -> "ClosureDayQuerySet":
        """The rows that made up the calendar at `instant`."""
        return self.filter(
            Q(retired_at__isnull=True) | Q(retired_at__gt=instant), recorded_at__lte=instant
        )


class ClosureDay(models.Model):
    date = models.DateField(_("date"))
    name = models.CharField(_("nom"), max_length=120)
    recorded_at = models.DateTimeField(_("inscrit le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par"),
    )
    retired_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retiré par"),
    )
    reason = models.CharField(_("motif"), max_length=300)

    objects = ClosureDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("jour de fermeture")
        verbose_name_plural = _("jours de fermeture")
        ordering = ["date", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(retired_at__isnull=True),
                name="one_current_closure_per_date",
            ),
        ]
        indexes = [models.Index(fields=["recorded_at"]), models.Index(fields=["retired_at"])]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None
