"""guichet access-log verify: check the access log's chain (guichet/audit/chain.py).

Exit 0 and the number of entries checked when every entry's seal and link hold; exit 1 and
the first entry whose seal or link fails otherwise.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.audit.chain import verify
from guichet.cli import OneLineErrorsMixin

REASONS = {
    "altered": "son empreinte ne correspond pas à son contenu (entrée modifiée)",
    "unlinked": (
        "elle ne suit pas l'entrée précédente de sa file (une entrée avant elle a été "
        "supprimée ou modifiée hors de la purge)"
    ),
}


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal des accès (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify : vérifier la chaîne")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        verdict = verify(
            progress=lambda n: self.stderr.write(f"… {n} entrées vérifiées"),
        )
        if verdict.broken_at is not None:
            self.stdout.write(
                f"Journal des accès : chaîne rompue à l'entrée n° {verdict.broken_at} : "
                f"{REASONS[verdict.reason]}. {verdict.checked} entrée(s) vérifiée(s) avant elle."
            )
            raise SystemExit(1)
        if not verdict.ok:
            broken_lane = verdict.reason.removeprefix("head ")
            self.stdout.write(
                f"Journal des accès : chaîne rompue à la fin de la file {broken_lane} : ses "
                "dernières entrées ont été supprimées hors de la purge."
            )
            raise SystemExit(1)
        removed = f", {verdict.removed} retirée(s) par la purge" if verdict.removed else ""
        self.stdout.write(
            f"Journal des accès : chaîne intacte, {verdict.checked} entrée(s) vérifiée(s){removed}."
        )
        for lane, last in sorted(verdict.lanes.items()):
            self.stdout.write(f"  file {lane} : dernière empreinte {last}")
