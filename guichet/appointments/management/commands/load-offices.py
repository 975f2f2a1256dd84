from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guichet.appointments.offices import offices_load
from guichet.datafiles import DataFileError


class Command(BaseCommand):
    help = "Charge les bureaux SIQ (offices/siq.toml) : adresse, région, heures, salles, services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            offices = offices_load(path=path)
        except DataFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"{len(offices)} bureaux chargés depuis {path}")
