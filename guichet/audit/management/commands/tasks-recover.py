"""guichet tasks-recover [--worker-id ID] [--stale-after SECONDS]: the tasks a worker left
unfinished go back in the queue (guichet/tasks_recovery.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin
from guichet.tasks_recovery import tasks_recover


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Remet dans la file les tâches qu'un travailleur arrêté a laissées en cours, et celles "
        "qui ont échoué sur une coupure de la base de données."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--worker-id", help="le travailleur qui démarre : ses tâches en cours sont orphelines"
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            help="secondes : une tâche en cours depuis plus longtemps est reprise",
        )

    def handle(
        self, *args: Any, worker_id: str | None, stale_after: float | None, **options: Any
    ) -> None:
        count = tasks_recover(worker_id=worker_id, stale_after=stale_after)
        self.stdout.write(f"{count} tâche(s) remise(s) dans la file")
