"""guichet load-partners [FILE]: load the directory of partner organizations."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin, fail
from guichet.datafiles import DataFileError
from guichet.referrals.services import partners_load


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Charge le répertoire des organismes partenaires (partners/partners.toml)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(settings.GUICHET_PARTNERS_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = partners_load(path=Path(options["file"]))
        except DataFileError as exc:
            fail(f"guichet load-partners : {exc}")
        self.stdout.write(f"{loaded.created} organismes ajoutés, {loaded.updated} mis à jour")
