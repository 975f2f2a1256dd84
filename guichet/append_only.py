"""Records that are only ever added to: histories and logs whose rows nobody edits or removes.

`AppendOnly` refuses, in Python, to save a row again or to delete it. The database refuses
too, with a trigger on each such table (`install_guard`, called by the migration that creates
or upgrades the table), and it is the database's refusal that counts:

PostgreSQL
    The trigger lets an UPDATE or DELETE through only when the role running it is the owner
    of the table (or a member of that role, or a superuser) **and** that transaction declared
    a retention purge (`SET LOCAL guichet.purge = 'on'`, see `purge_writable`). The setting is
    only the owner's statement of intent, so that the owner's own sessions cannot rewrite a
    history by mistake; the role is the guard. The runtime role the application uses owns
    nothing (docs/deployment.md, `guichet db-grants`): whatever it sets, the trigger refuses
    it, and it has no UPDATE, DELETE or TRUNCATE privilege on these tables in the first place.
    Only the owner may disable a trigger, and `session_replication_role` needs a superuser.
SQLite (the embedded default)
    SQLite has no roles. The trigger refuses unless the SQL function `guichet_purging()`,
    which Guichet registers on its own connections (`register_sqlite_functions`), answers
    non-NULL, and it does only inside `purge_writable()` or Django's `flush`; any other
    program opening the file has no such function, so its UPDATE or DELETE fails. Whoever can
    write the file can drop the triggers: the embedded database protects against the
    application's own mistakes, PostgreSQL against the people who run it.

The access log has a stricter guard of its own (guichet/audit/db.py): no UPDATE ever, and a
DELETE only of rows older than the purge's cutoff, with the same role check.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


class AppendOnlyError(ValueError):
    """An attempt to change or remove a row of an append-only record."""


class AppendOnly(models.Model):
    # What the record is called in the refusal, e.g. "le journal des accès".
    record_name: ClassVar[str] = "cet historique"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self.record_name} ne se modifie pas")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self.record_name} ne se supprime pas")


def append_only_tables() -> list[str]:
    """The database tables of every append-only model, sorted."""
    from django.apps import apps

    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AppendOnly) and not model._meta.proxy
    )


# --- The database guard ---------------------------------------------------------------------

# True when the role running the statement owns the table (a member of its owner role, or a
# superuser): a role check, which no setting can satisfy.
PG_OWNER_CHECK = (
    "pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')"
)

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION guichet_append_only() RETURNS trigger AS $$
BEGIN
    IF {PG_OWNER_CHECK} AND current_setting('guichet.purge', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _trigger_name(table: str) -> str:
    return f"{table}_append_only"


def install_guard(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    """Refuse UPDATE and DELETE on `table` (for a migration's RunPython)."""
    vendor = schema_editor.connection.vendor
    name = _trigger_name(table)
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', params=None)
        schema_editor.execute(
            f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()",
            params=None,
        )
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f'CREATE TRIGGER "{name}_{op.lower()}" BEFORE {op} ON "{table}" '
                "WHEN guichet_purging() IS NULL "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )


def remove_guard(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    """The reverse of `install_guard`, for a migration going backwards."""
    vendor = schema_editor.connection.vendor
    name = _trigger_name(table)
    if vendor == "postgresql":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', params=None)
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}_{op}"')


# --- Lifting it, for a retention purge only -------------------------------------------------

_purging: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "guichet_purging", default=None
)


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give each SQLite connection of Guichet's the function its append-only triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("guichet_purging", 0, _purging.get)


class NotOwnerError(PermissionError):
    """The purge runs as a role that does not own the append-only tables."""


def connected_as_owner() -> bool:
    """Whether this connection's role owns the append-only tables (always true on SQLite)."""
    if connection.vendor != "postgresql":
        return True
    tables = append_only_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(pg_has_role(current_user, relowner, 'MEMBER')) FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r' "
            "AND relnamespace = to_regnamespace(current_schema())",
            [tables],
        )
        return bool(cursor.fetchone()[0])


def require_owner() -> None:
    """Refuse, before anything is tried, a purge run by a role that does not own the tables."""
    if not connected_as_owner():
        raise NotOwnerError(
            "la purge s'exécute avec le rôle propriétaire de la base de données "
            "(docs/deployment.md), pas avec le rôle de l'application"
        )


@contextmanager
def purge_writable() -> Iterator[None]:
    """Inside the caller's transaction, let a retention purge rewrite or delete the rows of
    append-only histories. On PostgreSQL this works only for the tables' owner: any other
    role gets `NotOwnerError` before anything is tried."""
    if not connection.in_atomic_block:
        raise RuntimeError("purge_writable needs a transaction")
    if connection.vendor == "postgresql":
        require_owner()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL guichet.purge = 'on'")
        yield
        # Reached only on success; on an error the rollback ends the setting too.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL guichet.purge = 'off'")
        return
    token = _purging.set(1)
    try:
        yield
    finally:
        _purging.reset(token)


@contextmanager
def flushing() -> Iterator[None]:
    """For Django's `flush` only, which empties every table (SQLite: PostgreSQL's flush is a
    TRUNCATE, which row triggers do not see and only the owner may run)."""
    token = _purging.set(1)
    try:
        yield
    finally:
        _purging.reset(token)
