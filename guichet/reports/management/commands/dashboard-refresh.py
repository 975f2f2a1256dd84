"""guichet dashboard-refresh [--full]

Bring the live dashboard's shared clock table up to date (guichet/reports/live.py): the events
recorded since the last catch-up, the day's recount of the running clocks, or everything after
a change of the catalogue or of the calendar. Run by a timer (deploy/systemd) so that users
never wait for it; waits for a catch-up already under way in another process.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.cli import OneLineErrorsMixin
from guichet.reports.live import catch_up


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Met à jour la table des délais du tableau de bord à partir des événements inscrits "
        "depuis la dernière mise à jour (et recompte les délais en cours un nouveau jour)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="tout recalculer, pas seulement ce qui a changé"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        done = catch_up(timezone.localdate(), wait=True, full=options["full"])
        took = time.monotonic() - started
        what = "reconstruite" if done.rebuilt else "mise à jour"
        self.stdout.write(
            f"Table du tableau de bord {what} : {done.dossiers} dossiers recalculés, "
            f"{done.clocks} délais écrits, jusqu'à l'événement n° {done.last_event} "
            f"({took:.1f} s)."
        )
