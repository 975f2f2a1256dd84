"""The history of a dossier is append-only, enforced by the database itself.

PostgreSQL: a trigger refuses UPDATE and DELETE on dossiers_dossierevent (a retention purge
may lift it for its own transaction with SET LOCAL guichet.purge = 'on').
SQLite (the embedded default): a trigger that aborts UPDATE. A DELETE trigger would also
block Django's flush of test databases; no code path deletes events, and PROTECT keeps a
dossier with events from being deleted.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION guichet_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('guichet.purge', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossierevent_append_only BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION guichet_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS dossierevent_append_only ON dossiers_dossierevent;"

SQLITE_UP = [
    """CREATE TRIGGER dossierevent_no_update BEFORE UPDATE ON dossiers_dossierevent
       BEGIN SELECT RAISE(ABORT, 'table dossiers_dossierevent is append-only'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS dossierevent_no_update;"]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_dossiers")]
    operations = [migrations.RunPython(up, down)]
