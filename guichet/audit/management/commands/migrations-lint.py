"""guichet migrations-lint: the project's migrations hold the expand/contract rule
(guichet/migrations_lint.py); exit 1 naming each operation that does not."""

from typing import Any

from django.core.management.base import BaseCommand

from guichet.cli import OneLineErrorsMixin
from guichet.migrations_lint import findings


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Vérifie que chaque migration peut s'appliquer avant le nouveau code (ni suppression, "
        "ni renommage, ni NOT NULL sans défaut), sauf exception justifiée."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = list(findings())
        for finding in found:
            self.stdout.write(str(finding))
        if found:
            self.stdout.write(
                f"{len(found)} opération(s) à faire en deux versions (expand/contract, "
                "docs/deployment.md) ou à justifier dans guichet/migrations_lint.py"
            )
            raise SystemExit(1)
        self.stdout.write("Migrations : rien qui casse la version précédente.")
