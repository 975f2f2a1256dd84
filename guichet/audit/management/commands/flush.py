"""Django's `flush`, allowed to empty the append-only access log on SQLite.

`flush` deletes every row of every table; Django's test framework runs it after each
transactional test. On SQLite a DELETE from the access log is refused unless the connection's
`guichet_access_log_purge_before()` function allows it (guichet/audit/db.py), so this command
allows it for the flush, and for nothing else.
"""

from typing import Any

from django.core.management.commands import flush

from guichet.audit.db import flushing


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with flushing():
            super().handle(**options)
