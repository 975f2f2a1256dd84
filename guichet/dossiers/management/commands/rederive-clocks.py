"""guichet rederive-clocks [--fix]: recompute every clock cache from the events and report
any difference (after a calendar change, say). Without --fix nothing is written."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin
from guichet.dossiers.models import Dossier
from guichet.dossiers.rederive import clock_caches_check, clock_caches_fixed


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Recalcule les délais de chaque dossier à partir de ses événements et signale toute "
        "différence avec ce qui est enregistré ; --fix corrige."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="réécrire les valeurs différentes")
        parser.add_argument(
            "--fail-on-difference",
            action="store_true",
            help="sortir avec le statut 1 si un dossier diffère (tâche planifiée, sauvegardes)",
        )

    def handle(self, *args: Any, fix: bool, fail_on_difference: bool, **options: Any) -> None:
        def report(dossier: Dossier, problems: list[str]) -> None:
            self.stdout.write(f"{dossier.number} : {' ; '.join(problems)}")

        checked, differing = clock_caches_check(fix=fix, report=report)
        if fix:
            clock_caches_fixed(checked, differing)
        verb = "corrigé(s)" if fix else "à corriger (relancez avec --fix)"
        self.stdout.write(
            f"{checked} dossier(s) vérifié(s), {differing} différent(s)"
            + (f", {verb}" if differing else "")
        )
        if differing and fail_on_difference and not fix:
            raise SystemExit(1)
