"""guichet export-personal-data --email ADDRESS [--dir DIR]: everything Guichet holds about
one account, as the JSON file and the readable PDF a request for access delivers (for the
privacy officer working outside the screens). The export is written to the access log."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.cli import OneLineErrorsMixin, fail
from guichet.privacy.export import export_json, export_pdf, personal_data

COMMAND = "guichet export-personal-data"


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Exporte tous les renseignements personnels d'un compte (JSON structuré et PDF "
        "lisible) ; l'exportation est inscrite au journal des accès."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="courriel du compte")
        parser.add_argument("--dir", default=".", help="dossier où écrire les deux fichiers")

    def handle(self, *args: Any, email: str, dir: str, **options: Any) -> None:
        person = User.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            fail(f"{COMMAND} : --email : aucun compte n'utilise cette adresse")
        target = Path(dir)
        if not target.is_dir():
            fail(f"{COMMAND} : --dir « {dir} » : ce dossier n'existe pas")
        document = personal_data(person)
        stem = f"renseignements-{person.pk}-{timezone.localdate():%Y%m%d}"
        json_path, pdf_path = target / f"{stem}.json", target / f"{stem}.pdf"
        json_path.write_bytes(export_json(document))
        pdf_path.write_bytes(export_pdf(document))
        access_log_record(
            action=AccessAction.EXPORT,
            subject_kind=SubjectKind.PERSON,
            subject_id=person.pk,
            person=person,
            actor_label=COMMAND,
            why=f"exportation des renseignements personnels ({len(document['sections'])} sections)",
            path="",
        )
        self.stdout.write(f"Écrit : {json_path} et {pdf_path}")
