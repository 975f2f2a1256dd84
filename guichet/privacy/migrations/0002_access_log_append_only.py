"""The access log is append-only, enforced by the database itself (see guichet/privacy/db.py).

PostgreSQL: a trigger refuses every UPDATE, and every DELETE except of rows recorded before the
cutoff that a retention purge declares for its own transaction with
set_config('guichet.access_log_purge_before', <instant>, true). TRUNCATE is not refused: it is
what Django's test flush runs, and only the table's owner may run it.
SQLite: one trigger refuses every UPDATE; another refuses every DELETE unless the SQL function
guichet_access_log_purge_before(), which Guichet registers on its own connections, returns a
cutoff later than the row (a purge, or Django's flush; any other program has no such function,
so its DELETE fails).
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION guichet_access_log_guard() RETURNS trigger AS $$
DECLARE
    cutoff text := current_setting('guichet.access_log_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
            AND OLD."at" < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accesslog_append_only BEFORE UPDATE OR DELETE ON privacy_accesslog
    FOR EACH ROW EXECUTE FUNCTION guichet_access_log_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS accesslog_append_only ON privacy_accesslog;
DROP FUNCTION IF EXISTS guichet_access_log_guard();
"""

SQLITE_UP = [
    """CREATE TRIGGER accesslog_no_update BEFORE UPDATE ON privacy_accesslog
       BEGIN SELECT RAISE(ABORT, 'table privacy_accesslog is append-only'); END;""",
    """CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON privacy_accesslog
       WHEN guichet_access_log_purge_before() IS NULL
            OR OLD."at" >= guichet_access_log_purge_before()
       BEGIN SELECT RAISE(ABORT, 'table privacy_accesslog is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS accesslog_no_update;",
    "DROP TRIGGER IF EXISTS accesslog_no_delete;",
]


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
    dependencies = [("privacy", "0001_privacy_records")]
    operations = [migrations.RunPython(up, down)]
