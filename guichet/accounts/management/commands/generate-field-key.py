"""guichet generate-field-key: a new Fernet key for GUICHET_FIELD_KEYS."""

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand

from guichet.cli import OneLineErrorsMixin


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Affiche une nouvelle clé de chiffrement pour GUICHET_FIELD_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(Fernet.generate_key().decode())
