"""The access log's tamper evidence (chain.py): every row sealed and chained, `guichet access-log
verify`, a row altered or removed outside Guichet named (the purge's removals, attested by its
checkpoints: guichet/privacy/tests/test_purge_chain.py)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from guichet.accounts.models import User
from guichet.audit import chain
from guichet.audit.db import SQLITE_GUARD
from guichet.audit.models import AccessAction, AccessLog, AccessLogChain, SubjectKind
from guichet.audit.services import access_log_record
from guichet.testing import CommandRun, run_command

pytestmark = pytest.mark.django_db


def record(number: str, person: User | None = None) -> AccessLog:
    return access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.DOSSIER,
        subject_number=number,
        person=person,
        actor_label="test",
        why="traitement du dossier",
        path="/bureau/dossiers/",
    )


@contextmanager
def guard_off() -> Iterator[None]:
    """As the owner of the table, with its triggers off: what an attacker with the owner's
    rights (or a superuser) could do behind Guichet's back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check pending on the table
            cursor.execute("ALTER TABLE privacy_accesslog DISABLE TRIGGER USER")
            yield
            cursor.execute("ALTER TABLE privacy_accesslog ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER accesslog_no_update")
            cursor.execute("DROP TRIGGER accesslog_no_delete")
            yield
            for sql in SQLITE_GUARD:
                cursor.execute(sql)


def verify(capsys: pytest.CaptureFixture[str]) -> CommandRun:
    return run_command(capsys, "access-log", "verify")


def test_the_seal_covers_every_column_but_the_id_and_the_seal() -> None:
    columns = {f.attname for f in AccessLog._meta.concrete_fields} - {"id", "row_hash"}
    assert set(chain.SEALED_FIELDS) == columns
    assert len(chain.SEALED_FIELDS) == len(set(chain.SEALED_FIELDS))


def test_each_row_follows_the_one_before_it_in_its_lane(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [record(f"2026-00000{i}") for i in range(3)]
    stored = list(AccessLog.objects.order_by("id"))
    assert [r.pk for r in stored] == [r.pk for r in rows]
    assert stored[0].previous_hash == chain.GENESIS
    assert [r.previous_hash for r in stored[1:]] == [r.row_hash for r in stored[:-1]]
    assert all(r.row_hash == chain.entry_digest(r) for r in stored)
    head = AccessLogChain.objects.get(lane=0)
    assert (head.last_id, head.last_hash) == (stored[-1].pk, stored[-1].row_hash)
    result = verify(capsys)
    assert result.code == 0
    assert (
        result.out.splitlines()[0] == "Journal des accès : chaîne intacte, 3 entrée(s) vérifiée(s)."
    )


def test_an_empty_log_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    result = verify(capsys)
    assert (result.code, result.out.splitlines()[0]) == (
        0,
        "Journal des accès : chaîne intacte, 0 entrée(s) vérifiée(s).",
    )


def test_a_row_altered_behind_guichets_back_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [record(f"2026-00000{i}") for i in range(4)]
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_accesslog SET why = %s WHERE id = %s", ["rien à voir", rows[2].pk]
        )
    result = verify(capsys)
    assert result.code == 1
    assert result.out.strip() == (
        f"Journal des accès : chaîne rompue à l'entrée n° {rows[2].pk} : son empreinte ne "
        "correspond pas à son contenu (entrée modifiée). 2 entrée(s) vérifiée(s) avant elle."
    )


def test_a_row_resealed_without_the_key_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    # Someone who recomputes the seal with a key of their own still fails.
    rows = [record(f"2026-00000{i}") for i in range(3)]
    row = AccessLog.objects.get(pk=rows[1].pk)
    row.why = "rien à voir"
    forged = chain.digest((getattr(row, n) for n in chain.SEALED_FIELDS), b"une autre clef")
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_accesslog SET why = %s, row_hash = %s WHERE id = %s",
            [row.why, forged, row.pk],
        )
    result = verify(capsys)
    assert result.code == 1
    assert f"chaîne rompue à l'entrée n° {rows[1].pk} : son empreinte" in result.out


def test_a_row_removed_behind_guichets_back_breaks_the_next_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [record(f"2026-00000{i}") for i in range(4)]
    with guard_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_accesslog WHERE id = %s", [rows[1].pk])
    result = verify(capsys)
    assert result.code == 1
    assert result.out.strip() == (
        f"Journal des accès : chaîne rompue à l'entrée n° {rows[2].pk} : elle ne suit pas "
        "l'entrée précédente de sa file (une entrée avant elle a été supprimée ou modifiée "
        "hors de la purge). 1 entrée(s) vérifiée(s) avant elle."
    )


def test_the_newest_rows_removed_show_at_the_lanes_head(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [record(f"2026-00000{i}") for i in range(3)]
    with guard_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_accesslog WHERE id = %s", [rows[-1].pk])
    result = verify(capsys)
    assert result.code == 1
    assert result.out.strip() == (
        "Journal des accès : chaîne rompue à la fin de la file 0 : ses dernières entrées ont "
        "été supprimées hors de la purge."
    )


def test_a_forged_checkpoint_excuses_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [record(f"2026-00000{i}") for i in range(3)]
    victim = rows[1]
    with guard_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_accesslog WHERE id = %s", [victim.pk])
    run = chain.RemovedRun(0, victim.pk, victim.pk, 1, victim.previous_hash, victim.row_hash)
    # A checkpoint made by hand, without the key, fails its own seal and excuses nothing.
    fake = AccessLog(
        action=AccessAction.DESTROY,
        subject_kind=SubjectKind.ACCESS_LOG,
        why="purge",
        actor_label="guichet purge",
        checkpoint=chain.checkpoint_text([run]),
        lane=0,
        previous_hash=rows[2].row_hash,
    )
    fake.row_hash = chain.digest((getattr(fake, n) for n in chain.SEALED_FIELDS), b"sans clef")
    with guard_off(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO privacy_accesslog (at, actor_label, action, subject_kind, "
            "subject_number, why, path, lane, previous_hash, row_hash, checkpoint) "
            "VALUES (%s, %s, %s, %s, '', %s, '', 0, %s, %s, %s)",
            [
                fake.at,
                fake.actor_label,
                fake.action,
                fake.subject_kind,
                fake.why,
                fake.previous_hash,
                fake.row_hash,
                fake.checkpoint,
            ],
        )
    result = verify(capsys)
    assert result.code == 1
    assert f"chaîne rompue à l'entrée n° {rows[2].pk} : elle ne suit pas" in result.out


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_take_a_lane_and_the_chain_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two transactions write at once: on PostgreSQL the second takes another lane instead of
    waiting for the first to commit; on SQLite they take turns. Either way, all verifies."""
    record("2026-000000")  # the lanes' heads exist (a flush before this test emptied them)
    first_in = threading.Event()
    release = threading.Event()
    lanes: dict[str, int] = {}

    def slow() -> None:
        try:
            with transaction.atomic():
                lanes["slow"] = record("2026-000001").lane
                first_in.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=slow)
    worker.start()
    assert first_in.wait(10)
    if connection.vendor == "postgresql":
        lanes["fast"] = record("2026-000002").lane  # would block here if lanes were shared
    release.set()
    worker.join(10)
    if connection.vendor != "postgresql":
        lanes["fast"] = record("2026-000002").lane
    if connection.vendor == "postgresql":
        assert lanes == {"slow": 0, "fast": 1}
    for i in range(3):
        record(f"2026-00001{i}")
    result = verify(capsys)
    assert result.code == 0, result.out
    assert "6 entrée(s) vérifiée(s)" in result.out
