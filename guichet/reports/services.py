"""State changes of the reports: freezing a closed fiscal year."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.measures import counts_between, shares_between
from guichet.reports import clocktable as ct
from guichet.reports.annual import Progress, clocks_for, compute_rows, data_stamp, snapshot_content
from guichet.reports.fiscal import FiscalYear
from guichet.reports.models import ReportSnapshot, content_checksum


class ReportError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


@transaction.atomic
def report_freeze(
    *,
    fiscal_year: FiscalYear,
    actor: User | None,
    actor_label: str = "",
    today: date | None = None,
    table: ct.ClockTable | None = None,
    progress: Progress | None = None,
) -> ReportSnapshot:
    """Freeze the annual report of a closed fiscal year: its rows, the date of their data and a
    SHA-256 checksum. Later reports of that year show these figures, and list separately the
    figures the events give differently (corrections). A year is frozen once."""
    today = today or timezone.localdate()
    if not fiscal_year.is_closed(today):
        raise ReportError(
            f"l'exercice {fiscal_year} n'est pas terminé (il finit le "
            f"{fiscal_year.last_day.isoformat()}) : seul un exercice clos peut être figé"
        )
    existing = ReportSnapshot.objects.filter(fiscal_year=fiscal_year.start_year).first()
    if existing is not None:
        raise ReportError(
            f"l'exercice {fiscal_year} est déjà figé depuis le "
            f"{timezone.localtime(existing.frozen_at).date().isoformat()} "
            f"(empreinte {existing.checksum})"
        )
    stamp = data_stamp()
    if table is None:
        table = clocks_for(fiscal_year, as_of=today, stamp=stamp, progress=progress)
    rows, services = compute_rows(fiscal_year, table)
    content = snapshot_content(
        rows,
        services,
        stamp,
        satisfaction=shares_between(fiscal_year.first_day, fiscal_year.last_day),
        counts=counts_between(fiscal_year.first_day, fiscal_year.last_day),
    )
    try:
        with transaction.atomic():
            return ReportSnapshot.objects.create(
                fiscal_year=fiscal_year.start_year,
                frozen_at=timezone.now(),
                frozen_by=actor,
                frozen_by_label=actor_label or (str(actor) if actor else ""),
                content=content,
                checksum=content_checksum(content),
            )
    except IntegrityError:
        raise ReportError(
            f"l'exercice {fiscal_year} vient d'être figé par quelqu'un d'autre"
        ) from None
