"""guichet load-calendar FILE: validate a closure calendar file, then record it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.calendars.services import calendar_load
from guichet.cli import OneLineErrorsMixin, fail
from guichet.datafiles import DataFileError


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Valide tout le fichier du calendrier des jours de fermeture, puis l'inscrit : les années "
        "du fichier sont confirmées, chaque ajout ou retrait est gardé avec sa date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier TOML, p. ex. calendars/quebec.toml")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            result = calendar_load(path=file)
        except DataFileError as exc:
            fail(str(exc))
        if not result.changed:
            self.stdout.write(f"{file} : calendrier déjà à jour, rien n'a changé")
            return
        years = ", ".join(str(y) for y in result.years_confirmed) or "aucune"
        self.stdout.write(
            f"{file} : années confirmées : {years} ; {len(result.added)} jour(s) inscrit(s), "
            f"{len(result.retired)} retiré(s)"
        )
