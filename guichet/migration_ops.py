"""Migration operations of the project's own (docs/deployment.md, "expand, then contract")."""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexWithoutLock(AddIndexConcurrently):
    """An index on a table that takes writes while it is built: `CREATE INDEX CONCURRENTLY` on
    PostgreSQL (filing, deciding and the other writes go on during the build, which a plain
    `CREATE INDEX` would block), a plain index on SQLite. The migration must say
    `atomic = False` (PostgreSQL refuses a concurrent build inside a transaction)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, *args)
