"""guichet db-grants --role NAME [--apply] [--create-role]: least privilege on PostgreSQL.

Prints the SQL that gives the runtime role NAME exactly what Guichet needs (guichet/dbroles.py),
for the owner of the tables to run after each `guichet migrate`. With --apply, runs it over
this connection, which must be the owner's. With --create-role too (for `make run` and tests),
creates NAME as a login role (or gives it a new password) and prints the DATABASE_URL the
application should use instead of the owner's.
"""

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from guichet import dbroles
from guichet.cli import OneLineErrorsMixin, fail

ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Écrit le SQL (à exécuter par le propriétaire des tables) qui donne au rôle "
        "d'exécution exactement les droits dont Guichet a besoin (docs/deployment.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="rôle d'exécution (ex. guichet_app)")
        parser.add_argument(
            "--apply", action="store_true", help="exécuter ce SQL (connecté en propriétaire)"
        )
        parser.add_argument(
            "--create-role",
            action="store_true",
            help="avec --apply : créer le rôle (mot de passe aléatoire) et écrire son DATABASE_URL",
        )

    def handle(self, *args: Any, role: str, apply: bool, create_role: bool, **options: Any) -> None:
        if not ROLE.fullmatch(role):
            fail(
                f"guichet db-grants : --role « {role} » : un nom de rôle PostgreSQL en "
                "minuscules, chiffres et _ (63 caractères au plus)"
            )
        if connection.vendor != "postgresql":
            fail("guichet db-grants : ne concerne que PostgreSQL (DATABASE_URL)")
        if create_role and not apply:
            fail("guichet db-grants : --create-role va avec --apply")
        statements = dbroles.grants_sql(role)
        if not apply:
            self.stdout.write(f"-- Droits du rôle d'exécution {role} (guichet db-grants).")
            self.stdout.write("-- À exécuter par le propriétaire des tables, après chaque migrate.")
            self.stdout.write("BEGIN;")
            for sql in statements:
                self.stdout.write(f"{sql};")
            self.stdout.write("COMMIT;")
            return
        if dbroles.runtime_role_problem() is None:
            fail("guichet db-grants : --apply s'exécute avec le rôle propriétaire des tables")
        with transaction.atomic():
            password = dbroles.ensure_login_role(role) if create_role else None
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        if password is not None:
            self.stdout.write(
                dbroles.url_for_role(os.environ.get("DATABASE_URL", ""), role, password)
            )
