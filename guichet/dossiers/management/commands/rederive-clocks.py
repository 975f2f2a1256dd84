"""guichet rederive-clocks [--fix]: recompute every clock cache from the events and report
any difference (after a calendar change, say). Without --fix nothing is written."""

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from guichet.calendars.services import business_calendar
from guichet.cli import OneLineErrorsMixin
from guichet.dossiers.clocks import derive_clocks, dossier_caches
from guichet.dossiers.models import Dossier, DossierClock
from guichet.dossiers.services import refresh_clocks

CHUNK = 500


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Recalcule les délais de chaque dossier à partir de ses événements et signale toute "
        "différence avec ce qui est enregistré ; --fix corrige."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="réécrire les valeurs différentes")

    def handle(self, *args: Any, fix: bool, **options: Any) -> None:
        cal = business_calendar()
        checked = differing = 0
        last = 0
        while True:
            chunk = list(
                Dossier.objects.filter(pk__gt=last)
                .order_by("pk")
                .select_related("service")
                .prefetch_related("events", "clocks", "service__commitments")[:CHUNK]
            )
            if not chunk:
                break
            for dossier in chunk:
                checked += 1
                problems = _differences(cal, dossier)
                if problems:
                    differing += 1
                    self.stdout.write(f"{dossier.number} : {' ; '.join(problems)}")
                    if fix:
                        with transaction.atomic():
                            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
                            refresh_clocks(locked)
                            locked.save(update_fields=["due_date", "at_risk_on", "overdue_on"])
            last = chunk[-1].pk
        verb = "corrigé(s)" if fix else "à corriger (relancez avec --fix)"
        self.stdout.write(
            f"{checked} dossier(s) vérifié(s), {differing} différent(s)"
            + (f", {verb}" if differing else "")
        )


def _differences(cal: Any, dossier: Dossier) -> list[str]:
    clocks = derive_clocks(cal, dossier, list(dossier.events.all()))
    expected = dataclasses.asdict(dossier_caches(dossier, clocks))
    problems = [
        f"{name} {getattr(dossier, name)} au lieu de {value}"
        for name, value in expected.items()
        if getattr(dossier, name) != value
    ]
    stored = {c.commitment_id: c for c in dossier.clocks.all()}
    for c in clocks:
        row: DossierClock | None = stored.get(c.commitment.pk)
        derived = (
            c.started_on,
            c.stopped_on,
            c.due_date,
            c.at_risk_on,
            c.overdue_on,
            c.outcome or "",
        )
        if row is None:
            problems.append(f"délai {c.commitment.code} absent")
        elif (
            row.started_on,
            row.stopped_on,
            row.due_date,
            row.at_risk_on,
            row.overdue_on,
            row.outcome,
        ) != derived:
            problems.append(
                f"délai {c.commitment.code} : échéance {row.due_date} au lieu de {c.due_date}"
            )
    return problems
