"""The access log's own database guard, stricter than the other append-only histories'
(guichet/append_only.py): no UPDATE ever, and a DELETE only of rows older than the cutoff that
a retention purge declares for its own transaction, and only by the tables' owner.

PostgreSQL
    `privacy_accesslog`: the trigger refuses every UPDATE, and every DELETE unless the role
    running it owns the table (or is a member of the owner role, or a superuser) and the row
    is older than the cutoff declared with `set_config('guichet.access_log_purge_before', …,
    true)`. Any role may set the setting; only the owner's DELETE looks at it. The runtime
    role has no DELETE privilege on the table anyway (`guichet db-grants`).
SQLite (the embedded default)
    `privacy_accesslog`: a trigger refuses every UPDATE; another refuses every DELETE unless the
    SQL function `guichet_access_log_purge_before()` returns a cutoff later than the row. Guichet
    registers that function on each of its connections (apps.py); it answers NULL (refuse)
    except inside `access_log_deletable(cutoff)`, and any other program opening the file has no
    such function, so its DELETE fails. Django's `flush` (which empties every table, in tests
    too) is the one other caller: guichet/audit/management/commands/flush.py.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from guichet import append_only

# The cutoff below which access-log rows may be deleted, as the database stores datetimes;
# None (the default) means no row may be.
_purge_before: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "guichet_access_log_purge_before", default=None
)
EVERYTHING = "9999-12-31 23:59:59.999999"

# The PostgreSQL guard (installed by migrations/0005_access_log_chain.py).
PG_GUARD = f"""
CREATE OR REPLACE FUNCTION guichet_access_log_guard() RETURNS trigger AS $$
DECLARE
    cutoff text := current_setting('guichet.access_log_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND {append_only.PG_OWNER_CHECK}
            AND cutoff IS NOT NULL AND cutoff <> '' AND OLD."at" < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_GUARD = (
    """CREATE TRIGGER accesslog_no_update BEFORE UPDATE ON privacy_accesslog
       BEGIN SELECT RAISE(ABORT, 'table privacy_accesslog is append-only'); END""",
    """CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON privacy_accesslog
       WHEN guichet_access_log_purge_before() IS NULL
            OR OLD."at" >= guichet_access_log_purge_before()
       BEGIN SELECT RAISE(ABORT, 'table privacy_accesslog is append-only'); END""",
)


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "guichet_access_log_purge_before", 0, _purge_before.get
        )


def _stored(moment: datetime) -> str:
    value = connection.ops.adapt_datetimefield_value(moment)
    return str(value)


@contextmanager
def access_log_deletable(before: datetime) -> Iterator[None]:
    """Inside the caller's transaction, let access-log rows recorded before `before` be
    deleted. On PostgreSQL only the tables' owner may: any other role gets `NotOwnerError`."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            raise RuntimeError("access_log_deletable needs a transaction")
        append_only.require_owner()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('guichet.access_log_purge_before', %s, true)",
                [before.isoformat()],
            )
        yield
        # Reached only when the block succeeded; on an error the transaction (or savepoint)
        # rolls back, and the setting with it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('guichet.access_log_purge_before', '', true)")
        return
    token = _purge_before.set(_stored(before))
    try:
        yield
    finally:
        _purge_before.reset(token)


@contextmanager
def flushing() -> Iterator[None]:
    """For Django's `flush` only, which empties every table: SQLite lets it empty the access
    log and the other append-only histories too (PostgreSQL's flush is a TRUNCATE, which row
    triggers do not see and only the owner may run)."""
    token = _purge_before.set(EVERYTHING)
    try:
        with append_only.flushing():
            yield
    finally:
        _purge_before.reset(token)
