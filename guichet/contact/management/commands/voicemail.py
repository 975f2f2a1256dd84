"""guichet voicemail import [DIR]: voice messages from Asterisk's voice-mail store."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin, dumps, fail
from guichet.contact.services import voicemail_import


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Messages vocaux : importer la boîte vocale (msgNNNN.txt et le fichier audio voisin)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="importer un dossier de la boîte vocale")
        imp.add_argument("folder", nargs="?", default=None)

    def handle(self, *args: Any, action: str, folder: str | None, **options: Any) -> None:
        root = Path(folder or settings.GUICHET_VOICEMAIL_DIR or "")
        if not (folder or settings.GUICHET_VOICEMAIL_DIR) or not root.is_dir():
            fail(f"guichet voicemail import : dossier introuvable {root}")
        result = voicemail_import(root=root)
        for name, error in result.errors:
            self.stderr.write(f"{name} : ignoré : {error}")
        self.stdout.write(
            dumps(
                {"created": result.created, "known": result.known, "unreadable": len(result.errors)}
            )
        )
