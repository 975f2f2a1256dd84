"""guichet rotate-field-keys: re-encrypt every encrypted identifier with the current key."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from guichet.cli import OneLineErrorsMixin
from guichet.crypto import encrypted_fields, rotate

BATCH = 1000


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Rechiffre chaque identifiant sensible avec la première clé de GUICHET_FIELD_KEYS. "
        "Ensuite seulement, retirez l'ancienne clé."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        quote = connection.ops.quote_name
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            table, pk = model._meta.db_table, model._meta.pk.column
            for field in fields:
                column = field.column
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
                        f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
                    )
                    rows = cursor.fetchall()
                    for row_id, token in rows:
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                            f"WHERE {quote(pk)} = %s",
                            [rotate(token), row_id],
                        )
                total += len(rows)
                self.stdout.write(f"{model._meta.label}.{field.name} : {len(rows)} valeur(s)")
        self.stdout.write(f"{total} valeur(s) rechiffrée(s) avec la clé courante")
