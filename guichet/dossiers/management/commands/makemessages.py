"""`guichet makemessages`: Django's command, set up for the portal's catalogues.

The English and Spanish catalogues live in `guichet/locale/` (settings.LOCALE_PATHS). This
command always reads the `guichet/` package, whatever the current directory, so that the
references in the catalogues stay `dossiers/forms.py`-style paths; it leaves out the screens and
modules only staff use, which stay in French (ADR 0001; docs/languages.md), and the locales
default to the catalogues we keep. References carry no line numbers, so that moving a line does
not rewrite the catalogues. `make messages` runs it, then `compilemessages`.
"""

import os
from pathlib import Path
from typing import Any

from django.core.management.commands import makemessages

PACKAGE_DIR = Path(__file__).resolve().parents[3]
LOCALES = ("en", "es")

# Paths relative to guichet/ (or bare file or directory names, matched anywhere).
STAFF_ONLY = (
    "dossiers/templates/dossiers/office",
    "dossiers/views/office.py",
    "reports",
    # The contact centre: staff screens; its one message to the public (the acknowledgment)
    # is sent in French, the language of the administration.
    "contact",
    "calendars",
    "privacy/templates/privacy/_nav.html",
    "privacy/templates/privacy/home.html",
    "privacy/templates/privacy/access_log.html",
    "privacy/templates/privacy/incident.html",
    "privacy/templates/privacy/incident_form.html",
    "privacy/templates/privacy/incidents.html",
    "privacy/templates/privacy/legal_holds.html",
    "privacy/templates/privacy/request.html",
    "privacy/templates/privacy/requests.html",
    "accounts/administration",
    "accounts/templates/administration",
    "accounts/enrolment_views.py",
    "accounts/templates/enrolment",
    "api.py",
    "admin.py",
    "templates/admin",
    "management",
    "migrations",
    "tests",
    "static",
    "testing.py",
)


class Command(makemessages.Command):
    help = (
        "Met à jour les catalogues anglais et espagnol du portail (guichet/locale) ; "
        "les écrans du personnel restent en français."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--root",
            default=str(PACKAGE_DIR),
            help="Le dossier à lire (par défaut, le paquet guichet ; les tests lisent une copie).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *STAFF_ONLY]
        if not (options.get("locale") or options.get("exclude") or options.get("all")):
            options["locale"] = list(LOCALES)
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        here = Path.cwd()
        os.chdir(options["root"])
        try:
            super().handle(*args, **options)
        finally:
            os.chdir(here)
