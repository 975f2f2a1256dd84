"""The dossier history's database guard checks the role, not only a setting
(guichet/append_only.py): on PostgreSQL an UPDATE or DELETE goes through only for the table's
owner inside a declared purge; on SQLite DELETE is refused too, outside a purge or a flush."""

from django.db import migrations

from guichet import append_only

TABLE = "dossiers_dossierevent"


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS dossierevent_append_only ON {TABLE}")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS dossierevent_no_update")
    append_only.install_guard(schema_editor, TABLE)


def down(apps, schema_editor):
    append_only.remove_guard(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_event_kinds_rectified_and_mandates")]
    operations = [migrations.RunPython(up, down)]
