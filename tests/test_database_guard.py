"""The database itself guards the append-only histories (guichet/append_only.py,
guichet/audit/db.py) and the runtime role gets no more than it needs (guichet/dbroles.py).

On PostgreSQL the tests connect as a real runtime role, made by `guichet db-grants`, and try
everything such a role could try against the histories."""

import contextlib
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from guichet import dbroles
from guichet.accounts.models import LanguageBasis, ServiceLanguage, Unit, User
from guichet.accounts.services import language_of_service_declare, unit_create
from guichet.append_only import append_only_tables, purge_writable
from guichet.appointments.models import Office
from guichet.appointments.services import request_create
from guichet.audit.models import AccessLog
from guichet.complaints.models import Kind, Subject
from guichet.complaints.services import complaint_file
from guichet.contact.services import enquiry_receive
from guichet.privacy.models import InfoRequestKind
from guichet.privacy.services import info_request_submit
from guichet.reports import live
from guichet.reports.models import LiveClock
from guichet.testing import Personas, make_dossier, run_command

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="roles and privileges are PostgreSQL's"
)

HISTORIES = [
    "accounts_accesschange",
    "accounts_languageofservice",
    "appointments_meetingevent",
    "complaints_complaintevent",
    "contact_contactevent",
    "dossiers_dossierevent",
    "privacy_accesslog",
    "privacy_inforequestevent",
]
# Every custom setting the guards ever read (or once read): none may open them to a caller.
CUSTOM_SETTINGS = {
    "guichet.purge": "on",
    "guichet.access_log_purge_before": "infinity",
}


def write_histories(personas: Personas, administrator: User) -> None:
    """At least one row in each append-only history, through Guichet's own services."""
    make_dossier(personas)  # its events and the access log
    info_request_submit(person=personas.owner, kind=InfoRequestKind.ACCESS, details="Tout.")
    language_of_service_declare(
        user=personas.owner,
        actor=personas.owner,
        language=ServiceLanguage.ENGLISH,
        basis=LanguageBasis.RECENT_ARRIVAL,
        arrived_on=timezone.localdate() - timedelta(days=10),
    )
    unit_create(actor=administrator, code=f"u{secrets.token_hex(3)}", name="Unité", reason="Essai")
    complaint_file(
        actor=personas.owner, kind=Kind.COMMENT, subject=Subject.OTHER, text="Un commentaire."
    )
    office = Office.objects.create(
        code=f"o{secrets.token_hex(3)}",
        name="Bureau",
        unit=Unit.objects.get(code="caq"),
        address="1, rue de l'Exemple",
        region="Montréal",
        hours="8 h 30 à 16 h 30",
        services=["siq-rencontre-individuelle"],
    )
    request_create(
        client=personas.owner,
        service_code="siq-rencontre-individuelle",
        office=office,
        actor=personas.owner,
    )  # its first event
    enquiry_receive(  # the contact centre's history
        raw=f"From: a@example.org\r\nMessage-ID: <{secrets.token_hex(6)}@example.org>\r\n"
        "Subject: Question\r\n\r\nBonjour\r\n".encode()
    )


def counts(cursor: Any) -> dict[str, int]:
    result = {}
    for table in HISTORIES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        result[table] = cursor.fetchone()[0]
    return result


def test_the_append_only_histories_are_these() -> None:
    assert append_only_tables() == HISTORIES


def test_each_history_has_its_guard_in_the_database() -> None:
    with connection.cursor() as cursor:
        for table in HISTORIES:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal AND tgenabled = 'O'",
                    [table],
                )
                assert len(cursor.fetchall()) == 1, table
            else:
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                sql = " ".join(r[0] for r in cursor.fetchall())
                assert "BEFORE UPDATE" in sql and "BEFORE DELETE" in sql, table


@pytest.mark.parametrize("table", HISTORIES)
def test_outside_a_purge_no_update_or_delete_goes_through(
    table: str, personas: Personas, administrator: User
) -> None:
    write_histories(personas, administrator)
    with connection.cursor() as cursor:
        before = counts(cursor)
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql)
        assert counts(cursor) == before


@pytest.mark.parametrize("table", [t for t in HISTORIES if t != "privacy_accesslog"])
def test_a_purge_run_by_the_owner_may_rewrite_a_history(
    table: str, personas: Personas, administrator: User
) -> None:
    write_histories(personas, administrator)
    with transaction.atomic(), purge_writable(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET id = id")  # noqa: S608 (fixed names)
    # And the guard is back once the purge's block is over.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET id = id")  # noqa: S608


def test_the_access_log_refuses_updates_even_to_a_purge(
    personas: Personas, administrator: User
) -> None:
    write_histories(personas, administrator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with purge_writable(), connection.cursor() as cursor:
            cursor.execute("UPDATE privacy_accesslog SET why = 'effacé'")


def test_outside_production_any_role_may_serve() -> None:
    dbroles.refuse_privileged_role()  # no exception: not in production mode


# --- PostgreSQL: the runtime role ------------------------------------------------------------


@contextlib.contextmanager
def login_role(grant: Callable[[str], list[str]]) -> Iterator[tuple[str, str]]:
    """A fresh login role (name, password) with the privileges `grant(name)` gives it, dropped
    on the way out."""
    name = f"guichet_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        password = dbroles.ensure_login_role(name)
        for sql in grant(name):
            cursor.execute(sql)
    try:
        yield name, password
    finally:
        connection.close()  # a test's switch of role ends with it
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def connect_as(name: str, password: str) -> psycopg.Connection[Any]:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        dbname=s["NAME"],
        user=name,
        password=password,
        autocommit=True,
    )


def refused(db: psycopg.Connection[Any], sql: str) -> str:
    """The first line of the database's refusal of `sql` (the test fails if it went through)."""
    try:
        db.execute(sql)
    except psycopg.Error as exc:
        return str(exc).splitlines()[0]
    raise AssertionError(f"went through: {sql}")


@contextlib.contextmanager
def django_as(name: str, password: str) -> Iterator[None]:
    """Guichet's own connection, as `name`, for the rest of the block."""
    saved = {k: connection.settings_dict[k] for k in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=name, PASSWORD=password)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_cannot_rewrite_any_history_but_guichet_works_as_it(
    personas: Personas, administrator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    write_histories(personas, administrator)
    with connection.cursor() as cursor:
        before = counts(cursor)
    with login_role(dbroles.grants_sql) as (name, password):
        with connect_as(name, password) as db:
            for table in HISTORIES:
                for sql in (
                    f"UPDATE {table} SET id = id",
                    f"DELETE FROM {table}",
                    f"TRUNCATE {table}",
                ):
                    assert refused(db, sql).startswith("permission denied for table"), sql
                assert refused(db, f"ALTER TABLE {table} DISABLE TRIGGER USER").startswith(
                    "must be owner of table"
                )
            assert refused(db, "SET session_replication_role = replica") == (
                'permission denied to set parameter "session_replication_role"'
            )
            # Any role may write a custom setting: none of them opens anything.
            with db.transaction():
                for setting, value in CUSTOM_SETTINGS.items():
                    db.execute("SELECT set_config(%s, %s, true)", [setting, value])
                for table in HISTORIES:
                    with contextlib.suppress(psycopg.Error), db.transaction():
                        db.execute(f"DELETE FROM {table}")  # noqa: S608
                        raise AssertionError(f"DELETE went through on {table}")
            assert refused(db, "CREATE TABLE guichet_intruder (id int)").startswith(
                "permission denied for schema"
            )
        with connection.cursor() as cursor:
            assert counts(cursor) == before

        # Guichet itself, connected as that role: its services add to every history.
        with django_as(name, password):
            assert dbroles.runtime_role_problem() is None
            with override_settings(GUICHET_REQUIRE_SECRET_KEY=True):
                dbroles.refuse_privileged_role()  # serves
            write_histories(personas, administrator)
            with connection.cursor() as cursor:
                after = counts(cursor)
            assert all(after[t] > before[t] for t in HISTORIES), after
            # The purge is the owner's: refused at once, nothing done.
            result = run_command(capsys, "purge", "--apply")
            assert result.code == 2
            assert "la purge s'exécute avec le rôle propriétaire" in result.err
            assert run_command(capsys, "access-log", "verify").code == 0
            # The dashboard's shared clock table is a cache: the runtime role rebuilds it
            # (DELETE, COPY) and keeps its state row (UPDATE).
            built = live.catch_up(timezone.localdate(), full=True)
            assert built.rebuilt and built.clocks == LiveClock.objects.count() > 0
            assert not live.catch_up(timezone.localdate()).rebuilt


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_guard_checks_the_role_not_a_setting(personas: Personas, administrator: User) -> None:
    """A role given every privilege on the tables by mistake, but not their ownership: the
    trigger still refuses it, whatever settings it writes."""
    write_histories(personas, administrator)

    def everything(name: str) -> list[str]:
        return [
            f'GRANT USAGE ON SCHEMA public TO "{name}"',
            f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"',
        ]

    with login_role(everything) as (name, password), connect_as(name, password) as db:
        for table in HISTORIES:
            for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with db.transaction():
                    for setting, value in CUSTOM_SETTINGS.items():
                        db.execute("SELECT set_config(%s, %s, true)", [setting, value])
                    message = refused(db, sql)
                assert message == f"table {table} is append-only", (sql, message)
    assert AccessLog.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_production_refuses_a_superuser_or_the_owner() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    problem = dbroles.runtime_role_problem()
    assert problem is not None
    assert ("superutilisateur" if superuser else "propriétaire de la table") in problem
    with (
        override_settings(GUICHET_REQUIRE_SECRET_KEY=True),
        pytest.raises(ImproperlyConfigured, match="Guichet ne démarre pas en production"),
    ):
        dbroles.refuse_privileged_role()


@postgresql_only
def test_db_grants_prints_what_the_runtime_role_gets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_command(capsys, "db-grants", "--role", "guichet_app")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[2] == "BEGIN;" and lines[-1] == "COMMIT;"
    histories = ", ".join(f'"{t}"' for t in HISTORIES)
    assert f'GRANT SELECT, INSERT ON TABLE {histories} TO "guichet_app";' in lines
    assert 'GRANT SELECT, UPDATE ON TABLE "privacy_accesslogchain" TO "guichet_app";' in lines
    assert 'GRANT SELECT ON TABLE "django_migrations" TO "guichet_app";' in lines
    full = next(line for line in lines if line.startswith("GRANT SELECT, INSERT, UPDATE, DELETE"))
    assert '"dossiers_dossier"' in full
    assert not any(f'"{t}"' in full for t in HISTORIES)
    assert "TRUNCATE" not in result.out


def test_db_grants_refuses_a_bad_role_name(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_command(capsys, "db-grants", "--role", 'x"; DROP TABLE y; --')
    assert result.code == 2
    assert result.err.startswith("guichet db-grants : --role")
