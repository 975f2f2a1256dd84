"""Frozen results: the figures of a closed fiscal year as they were published.

Figures are always computed from the dossiers' events; a snapshot only keeps a copy of what was
published, with a checksum, so that a later correction of the events shows as a correction
instead of silently changing a published report.
"""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def canonical_json(content: Any) -> str:
    """The one text of `content` that its checksum covers (sorted keys, no spaces)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_checksum(content: Any) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


class ReportSnapshot(models.Model):
    """The annual report of one closed fiscal year, frozen. Rows are only ever inserted."""

    fiscal_year = models.PositiveSmallIntegerField(
        _("exercice (année de début)"), unique=True, help_text=_("2025 pour 2025-2026")
    )
    frozen_at = models.DateTimeField(_("figé le"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("figé par"),
    )
    frozen_by_label = models.CharField(_("figé par (libellé)"), max_length=200, blank=True)
    # The rows of the report and the date of the data they were computed from.
    content = models.JSONField(_("contenu"))
    checksum = models.CharField(_("empreinte SHA-256 du contenu"), max_length=64)

    class Meta:
        verbose_name = _("rapport annuel figé")
        verbose_name_plural = _("rapports annuels figés")
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year}-{self.fiscal_year + 1}"

    @property
    def intact(self) -> bool:
        """The content still matches the checksum recorded when it was frozen."""
        return content_checksum(self.content) == self.checksum


class LiveClock(models.Model):
    """One clock of one dossier, as `reports.clocktable` computes it, as of the day of
    `LiveClockState`: the live dashboard's table, shared by every process
    (guichet/reports/live.py). A cache, recomputed from the events at will: its rows are
    replaced, never corrected by hand."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name=_("dossier")
    )
    # Ids copied from the dossier and the catalogue, not keys: the rows follow the events.
    commitment = models.BigIntegerField(_("engagement"))
    service = models.BigIntegerField(_("service"))
    unit = models.BigIntegerField(_("unité"))
    channel = models.SmallIntegerField(_("canal"))  # clocktable.CHANNELS index + 1
    received = models.DateField(_("reçu le"))
    start = models.DateField(_("début du délai"))
    stop = models.DateField(_("arrêt du délai"), null=True)
    stop_month = models.IntegerField(_("mois de l'arrêt"))  # months since 1970-01, -1: none
    outcome = models.SmallIntegerField(_("issue"))  # clocktable.STOPPED, RUNNING, ENDED
    open = models.BooleanField(_("dossier ouvert"))
    elapsed = models.IntegerField(_("jours ouvrables comptés"))
    target = models.IntegerField(_("délai cible"))
    met = models.BooleanField(_("respecté"))
    status = models.SmallIntegerField(_("état"))  # guichet.clock.batch status
    at_risk = models.BooleanField(_("à risque"))
    due = models.DateField(_("échéance"), null=True)
    # Of the running clocks of an open dossier: this one has counted the most days (the first
    # commitment of a tie), and whether any of them is overdue. The backlog by age counts these.
    oldest = models.BooleanField(_("délai le plus avancé du dossier"))
    dossier_late = models.BooleanField(_("dossier en retard"))

    class Meta:
        verbose_name = _("délai du tableau de bord")
        verbose_name_plural = _("délais du tableau de bord")
        # Partial and covering (PostgreSQL: INCLUDE; SQLite ignores it): the dashboard's
        # grouped queries read these indexes only, the range of the scope's units.
        indexes = [
            # The stopped clocks of some units over a period (0: clocktable.STOPPED).
            models.Index(
                fields=["unit", "stop"],
                include=["commitment", "stop_month", "elapsed", "met", "service", "channel"],
                condition=models.Q(outcome=0),
                name="liveclock_stopped",
            ),
            # The oldest running clock of each open dossier of some units: the backlog.
            models.Index(
                fields=["unit", "elapsed"],
                include=["dossier_late", "dossier", "service", "channel"],
                condition=models.Q(outcome=1, open=True, oldest=True),
                name="liveclock_backlog",
            ),
            # The running clocks of the open dossiers of some units (1: clocktable.RUNNING).
            models.Index(
                fields=["unit", "commitment"],
                include=["status", "at_risk", "elapsed", "dossier", "service", "channel"],
                condition=models.Q(outcome=1, open=True),
                name="liveclock_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.commitment}"


class LiveClockState(models.Model):
    """The one row that says what `LiveClock` holds: the events applied, with which catalogue
    and calendar, counted on which day. Its lock serialises the catch-ups."""

    last_event = models.BigIntegerField(_("dernier événement appliqué"), null=True)
    recorded_at = models.DateTimeField(_("inscrit le (dernier événement)"), null=True)
    basis = models.CharField(_("catalogue et calendrier"), max_length=64, blank=True)
    day = models.DateField(_("jour du décompte"), null=True)
    built_at = models.DateTimeField(_("construit le"), null=True)
    caught_up_at = models.DateTimeField(_("rattrapé le"), null=True)

    class Meta:
        verbose_name = _("état du tableau de bord")
        verbose_name_plural = _("états du tableau de bord")

    def __str__(self) -> str:
        return f"{self.last_event} ({self.day})"
