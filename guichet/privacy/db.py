"""What the database does to keep the access log and the dossier history append-only, and the
only ways a retention purge may lift that, inside its own transaction.

PostgreSQL
    `privacy_accesslog`: a trigger refuses every UPDATE, and every DELETE except of rows older
    than the cutoff the purge declares with `set_config('guichet.access_log_purge_before', …,
    true)` (SET LOCAL: it ends with the transaction).
    `dossiers_dossierevent` and `privacy_inforequestevent`: their trigger (one function)
    honours `SET LOCAL guichet.purge = 'on'`.

SQLite (the embedded default)
    `privacy_accesslog`: a trigger refuses every UPDATE; another refuses every DELETE unless the
    SQL function `guichet_access_log_purge_before()` returns a cutoff later than the row. Guichet
    registers that function on each of its connections (apps.py); it answers NULL (refuse)
    except inside `access_log_deletable(cutoff)`, and any other program opening the file has no
    such function, so its DELETE fails. Django's `flush` (which empties every table, in tests
    too) is the one other caller: guichet/privacy/management/commands/flush.py.
    `dossiers_dossierevent`: its trigger refuses every UPDATE with no way around it, so the
    purge drops it and creates it again, identical, inside its transaction
    (`dossier_events_writable`). SQLite DDL is transactional and Guichet's transactions take the
    write lock when they begin (IMMEDIATE), so no other connection ever sees the table without
    its trigger, and a failed purge rolls the drop back with everything else.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# The cutoff below which access-log rows may be deleted, as the database stores datetimes;
# None (the default) means no row may be.
_purge_before: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "guichet_access_log_purge_before", default=None
)
EVERYTHING = "9999-12-31 23:59:59.999999"
EVENTS_TABLE = "dossiers_dossierevent"


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "guichet_access_log_purge_before", 0, _purge_before.get
        )


def _stored(moment: datetime) -> str:
    value = connection.ops.adapt_datetimefield_value(moment)
    return str(value)


@contextmanager
def access_log_deletable(before: datetime | None) -> Iterator[None]:
    """Inside the caller's transaction, let access-log rows recorded before `before` be
    deleted (None: every row, for Django's flush only)."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            raise RuntimeError("access_log_deletable needs a transaction")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('guichet.access_log_purge_before', %s, true)",
                [before.isoformat() if before else "infinity"],
            )
        yield
        # Reached only when the block succeeded; on an error the transaction (or savepoint)
        # rolls back, and the setting with it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('guichet.access_log_purge_before', '', true)")
        return
    token = _purge_before.set(_stored(before) if before else EVERYTHING)
    try:
        yield
    finally:
        _purge_before.reset(token)


@contextmanager
def dossier_events_writable() -> Iterator[None]:
    """Inside the caller's transaction, let the purge scrub or delete dossier events (and, on
    PostgreSQL, delete the steps of requests for access or rectification)."""
    if not connection.in_atomic_block:
        raise RuntimeError("dossier_events_writable needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL guichet.purge = 'on'")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL guichet.purge = 'off'")
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [EVENTS_TABLE],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    # Only on success: on an error the rollback restores the dropped triggers by itself.
    with connection.cursor() as cursor:
        for _name, sql in triggers:
            cursor.execute(sql)


@contextmanager
def flushing() -> Iterator[None]:
    """For Django's `flush` only, which empties every table: SQLite lets it empty the access
    log too (PostgreSQL's flush is a TRUNCATE, which row triggers do not see)."""
    token = _purge_before.set(EVERYTHING)
    try:
        yield
    finally:
        _purge_before.reset(token)
