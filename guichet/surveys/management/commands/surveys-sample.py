"""guichet surveys-sample: invite a sample of the clients whose dossier was decided on a day
(yesterday by default), to be run once a day (cron or systemd timer, docs/complaints.md)."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.cli import OneLineErrorsMixin, fail
from guichet.surveys.services import surveys_sample


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Invite au sondage de satisfaction un échantillon des clients dont le dossier a été décidé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="le jour des décisions (AAAA-MM-JJ ; hier par défaut)")
        parser.add_argument("--percent", type=int, help="la part échantillonnée, en pour cent")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                fail(f"guichet surveys-sample : date invalide « {options['date']} »")
        else:
            day = timezone.localdate() - timedelta(days=1)
        percent = options["percent"]
        if percent is not None and not 0 <= percent <= 100:
            fail("guichet surveys-sample : --percent doit être entre 0 et 100")
        done = surveys_sample(day=day, percent=percent)
        self.stdout.write(
            f"{day.isoformat()} : {done.decided} dossiers décidés, {done.drawn} tirés, "
            f"{done.invited} invitations envoyées"
        )
