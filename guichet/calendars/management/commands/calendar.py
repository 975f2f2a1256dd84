"""guichet calendar --year YYYY [--json] [--at DATETIME] [--confirm]: a year's closure days."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.calendars.services import ClosureDayError, calendar_year_confirm, closures_of_year
from guichet.cli import OneLineErrorsMixin, dumps, fail, parse_instant
from guichet.clock.calendar import FIRST_YEAR, LAST_YEAR


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Affiche les jours de fermeture d'une année (date, nom). Une année absente des tables "
        "vient de la règle et est provisoire jusqu'à sa confirmation (--confirm)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="une liste JSON {date, name}")
        parser.add_argument(
            "--at",
            type=parse_instant,
            default=None,
            help="le calendrier tel qu'il était connu à cet instant (ISO 8601)",
        )
        parser.add_argument(
            "--confirm", action="store_true", help="confirmer une année générée par la règle"
        )

    def handle(
        self, *args: Any, year: int, json: bool, at: datetime | None, confirm: bool, **options: Any
    ) -> None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            fail(f"l'année {year} est hors du calendrier ({FIRST_YEAR} à {LAST_YEAR})")
        if confirm:
            try:
                calendar_year_confirm(year=year, user=None)
            except ClosureDayError as exc:
                fail(str(exc))
        closures = closures_of_year(year, at)
        if json:
            self.stdout.write(
                dumps(
                    [
                        {"date": c.day.isoformat(), "name": c.name, "provisional": c.provisional}
                        for c in closures
                    ]
                )
            )
            return
        state = "provisoire (règle)" if closures and closures[0].provisional else "confirmée"
        self.stdout.write(f"Jours de fermeture {year} — {state}")
        for c in closures:
            self.stdout.write(f"  {c.day.isoformat()}  {c.name}")
