"""The history of a request for access or rectification is append-only, like the dossier
history (dossiers/migrations/0002_events_append_only.py, whose PostgreSQL function this reuses).

PostgreSQL: a trigger refuses UPDATE and DELETE on privacy_inforequestevent.
SQLite: a trigger refuses UPDATE (a DELETE trigger would block Django's flush of test
databases; no code deletes events, and PROTECT keeps a request with events from being deleted).
"""

from django.db import migrations

PG_UP = """
CREATE TRIGGER inforequestevent_append_only BEFORE UPDATE OR DELETE ON privacy_inforequestevent
    FOR EACH ROW EXECUTE FUNCTION guichet_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS inforequestevent_append_only ON privacy_inforequestevent;"
SQLITE_UP = """CREATE TRIGGER inforequestevent_no_update BEFORE UPDATE ON privacy_inforequestevent
    BEGIN SELECT RAISE(ABORT, 'table privacy_inforequestevent is append-only'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS inforequestevent_no_update;"


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_access_and_rectification_requests"),
        ("dossiers", "0002_events_append_only"),
    ]
    operations = [migrations.RunPython(up, down)]
