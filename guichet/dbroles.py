"""Least privilege on PostgreSQL: the owner role and the runtime role (docs/deployment.md).

The **owner** role owns every table: it runs `guichet migrate` and `guichet purge --apply`,
the only writer the append-only guards let through (guichet/append_only.py). The **runtime**
role is what the web application and the worker connect as: it owns nothing, is no superuser,
and may only read and add rows to the append-only histories. `grants_sql` writes what the owner
runs to give a runtime role exactly that, after each migration; `runtime_role_problem` is the
check the application makes before it serves in production.
"""

import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from django.db import connection

from guichet.append_only import append_only_tables

# Tables the runtime role may also change in place (and nothing more): the chain's lane heads.
UPDATE_ONLY = ("privacy_accesslogchain",)
# Tables the runtime role reads and never writes.
READ_ONLY = ("django_migrations",)


def _ident(name: str) -> str:
    return connection.ops.quote_name(name)


@dataclass(frozen=True)
class Grants:
    """What a runtime role gets, table by table."""

    full: list[str]  # SELECT, INSERT, UPDATE, DELETE
    append_only: list[str]  # SELECT, INSERT
    update_only: list[str]  # SELECT, UPDATE
    read_only: list[str]  # SELECT


def grants() -> Grants:
    """Sort the database's tables (as they are now, after migrate) by what the runtime may do."""
    tables = sorted(connection.introspection.table_names())
    histories = set(append_only_tables())
    return Grants(
        full=[t for t in tables if t not in histories | {*UPDATE_ONLY, *READ_ONLY}],
        append_only=[t for t in tables if t in histories],
        update_only=[t for t in tables if t in UPDATE_ONLY],
        read_only=[t for t in tables if t in READ_ONLY],
    )


def grants_sql(role: str) -> list[str]:
    """The statements, for the owner to run, that give `role` exactly what Guichet needs."""
    r = _ident(role)
    database = _ident(connection.settings_dict["NAME"])
    schema = _ident(_current_schema())
    g = grants()

    def on(privileges: str, tables: list[str]) -> list[str]:
        if not tables:
            return []
        return [f"GRANT {privileges} ON TABLE {', '.join(map(_ident, tables))} TO {r}"]

    return [
        # Start from nothing: a privilege granted by hand before is taken back.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {r}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {r}",
        f"GRANT CONNECT ON DATABASE {database} TO {r}",
        f"GRANT USAGE ON SCHEMA {schema} TO {r}",
        *on("SELECT, INSERT, UPDATE, DELETE", g.full),
        *on("SELECT, INSERT", g.append_only),
        *on("SELECT, UPDATE", g.update_only),
        *on("SELECT", g.read_only),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {r}",
    ]


def _current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def ensure_login_role(role: str) -> str:
    """Create `role` (or reset it) as a plain login role with a new random password; the
    password. For `make run` and tests: a deployment creates its roles itself."""
    password = secrets.token_urlsafe(24)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        # A utility statement takes no bound parameter; the password is URL-safe base64,
        # which a quoted literal holds as it is.
        cursor.execute(
            f"{verb} ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOBYPASSRLS PASSWORD '{password}'"
        )
    return password


def url_for_role(url: str, role: str, password: str) -> str:
    """`url` (the owner's DATABASE_URL) with another role and password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def runtime_role_problem() -> str | None:
    """Why this connection's role must not serve the application in production, or None: a
    superuser, or a role that owns (or may act as the owner of) the append-only tables."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        if superuser:
            return f"le rôle « {user} » est superutilisateur"
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r' "
            "AND relnamespace = to_regnamespace(current_schema()) "
            "AND pg_has_role(current_user, relowner, 'MEMBER') ORDER BY relname LIMIT 1",
            [append_only_tables()],
        )
        owned = cursor.fetchone()
    if owned:
        return f"le rôle « {user} » est propriétaire de la table {owned[0]}"
    return None


def refuse_privileged_role() -> None:
    """In production (`GUICHET_REQUIRE_SECRET_KEY=true`), refuse to serve as a superuser or as
    the owner of the tables: the application's own role must be one the guards hold."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if not settings.GUICHET_REQUIRE_SECRET_KEY:
        return
    try:
        problem = runtime_role_problem()
    finally:
        # Checked before a server forks its workers: none of them may share this connection.
        connection.close()
    if problem:
        raise ImproperlyConfigured(
            f"Guichet ne démarre pas en production : {problem}. L'application se connecte avec "
            "le rôle d'exécution (guichet db-grants, docs/deployment.md)."
        )
