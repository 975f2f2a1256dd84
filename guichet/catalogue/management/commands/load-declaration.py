"""guichet load-declaration FILE: validate a declaration file, then load it as a version."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.catalogue.services import LoadOutcome, declaration_load
from guichet.cli import OneLineErrorsMixin, fail
from guichet.datafiles import DataFileError


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Valide tout le fichier d'une déclaration de services, puis le charge comme une version. "
        "Sur erreur : une ligne (fichier, entrée, champ), code de sortie 2, rien n'est chargé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier TOML, p. ex. declarations/micc.toml")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            result = declaration_load(path=file)
        except DataFileError as exc:
            fail(str(exc))
        d = result.declaration
        if result.outcome is LoadOutcome.UNCHANGED:
            self.stdout.write(
                f"{file} : version {d.version} de « {d.code} » déjà chargée, rien n'a changé"
            )
        elif result.outcome is LoadOutcome.TARGETS_ADDED:
            self.stdout.write(
                f"{file} : version {d.version} de « {d.code} » déjà chargée ; "
                "cibles de performance ajoutées à ses engagements"
            )
        else:
            self.stdout.write(
                f"{file} : version {d.version} de « {d.code} » chargée, en vigueur à partir du "
                f"{d.in_force_from.isoformat()} ({d.services.count()} services)"
            )
