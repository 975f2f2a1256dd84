"""Backup and restore (scripts/backup.sh, scripts/restore.sh), for real: the test database is
dumped with its uploaded files, restored into a fresh database and folder, and then the clocks
re-derive without a difference, the access log's chain verifies and every letter opens."""

import io
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from pypdf import PdfReader

from guichet.dossiers.models import Letter
from guichet.dossiers.services import dossier_acknowledge, dossier_add_documents
from guichet.testing import Personas, checked, make_dossier, pdf_upload
from tests import stack

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="pg_dump and pg_restore are PostgreSQL's"
    ),
]
SCRIPTS = stack.ROOT / "scripts"


def guichet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(stack.BIN / "guichet"), *args], env=env, capture_output=True, text=True
    )


def test_a_backup_restored_into_a_fresh_database_is_whole(
    personas: Personas, tmp_path: Path, settings: Any
) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (postgresql-client)")
    settings.MEDIA_ROOT = tmp_path / "media"
    dossiers = [make_dossier(personas) for _ in range(3)]
    for dossier in dossiers:
        dossier_add_documents(
            dossier=dossier, documents=[checked(pdf_upload("preuve.pdf"))], actor=personas.owner
        )
        dossier_acknowledge(dossier=dossier, actor=personas.agent)
    letters = sorted(Letter.objects.values_list("file", flat=True))
    assert len(letters) == 3

    source = stack.database_url(connection.settings_dict)
    env = stack.app_environment(
        source,
        tmp_path,
        GUICHET_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        GUICHET_BACKUP_DIR=str(tmp_path / "backups"),
        SECRET_KEY=settings.SECRET_KEY,
        GUICHET_FIELD_KEYS=",".join(settings.GUICHET_FIELD_KEYS),
        GUICHET_ACCESS_LOG_KEY=settings.GUICHET_ACCESS_LOG_KEY,
    )
    backup = subprocess.run(  # noqa: S603
        [str(SCRIPTS / "backup.sh")], env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip())
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]

    fresh = f"guichet_restore_{secrets.token_hex(4)}"
    admin = connection.settings_dict
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    restored_url = stack.database_url({**admin, "NAME": fresh})
    restored_media = tmp_path / "restored-media"
    restored = {**env, "DATABASE_URL": restored_url, "GUICHET_MEDIA_ROOT": str(restored_media)}
    try:
        run = subprocess.run(  # noqa: S603
            [str(SCRIPTS / "restore.sh"), str(folder)], env=restored, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        clocks = guichet(restored, "rederive-clocks", "--fail-on-difference")
        assert clocks.returncode == 0, clocks.stdout + clocks.stderr
        assert clocks.stdout.strip() == "3 dossier(s) vérifié(s), 0 différent(s)"
        chain = guichet(restored, "access-log", "verify")
        assert chain.returncode == 0, chain.stdout + chain.stderr
        with psycopg.connect(restored_url) as conn:
            names = sorted(r[0] for r in conn.execute("SELECT file FROM dossiers_letter"))
            documents = [r[0] for r in conn.execute("SELECT file FROM dossiers_document")]
        assert names == letters
        for name in names:
            reader = PdfReader(io.BytesIO((restored_media / name).read_bytes()))
            assert len(reader.pages) >= 1
            assert reader.pages[0].extract_text().strip() != ""
        assert len(documents) == 3
        assert all((restored_media / name).is_file() for name in documents)
        # A second restore into a folder that is not empty is refused.
        again = subprocess.run(  # noqa: S603
            [str(SCRIPTS / "restore.sh"), str(folder)], env=restored, capture_output=True, text=True
        )
        assert again.returncode == 1
        assert "is not empty" in again.stderr
    finally:
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
