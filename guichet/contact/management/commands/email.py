"""guichet email fetch | guichet email import FILE.eml: e-mail enquiries from the mailbox."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin, dumps, fail
from guichet.contact.mailbox import MailboxSettings, mailbox_fetch
from guichet.contact.services import enquiry_receive


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Demandes par courriel : relever la boîte IMAP, ou importer un fichier .eml."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("fetch", help="relever la boîte configurée (GUICHET_IMAP_*)")
        imp = sub.add_parser("import", help="importer des fichiers .eml")
        imp.add_argument("files", nargs="+")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "fetch":
            box = MailboxSettings.configured()
            if box is None:
                fail("guichet email fetch : aucune boîte configurée (GUICHET_IMAP_HOST)")
            result = mailbox_fetch(box)
            for error in result.errors:
                self.stderr.write(error)
            self.stdout.write(dumps({"read": result.read, "new": result.new}))
            return
        new = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                fail(f"guichet email import : fichier introuvable {path}")
            new += int(enquiry_receive(raw=path.read_bytes()).created)
        self.stdout.write(dumps({"new": new}))
