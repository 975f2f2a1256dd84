from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from guichet.appointments.tasks import reminder_day, send_reminders


class Command(BaseCommand):
    help = (
        "Envoie le rappel des rendez-vous du deuxième jour ouvrable suivant (à lancer chaque "
        "matin ; un rendez-vous n'est rappelé qu'une fois)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        sent = send_reminders(today)
        self.stdout.write(f"{sent} rappels envoyés pour le {reminder_day(today).isoformat()}")
