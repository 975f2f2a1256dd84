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
