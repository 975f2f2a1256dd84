"""The TOTP secret is encrypted at rest like the other sensitive identifiers: the column holds a
Fernet token, the device still checks codes (and refuses a replayed one), key rotation
re-encrypts it, and migration 0007 converts the secrets that were stored in clear."""

import importlib
import time
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from guichet.accounts import services, totp
from guichet.accounts.models import TotpDevice, User
from guichet.accounts.tests.helpers import code_for
from guichet.crypto import encrypted_fields
from guichet.testing import PASSWORD, run_command

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 (a test authenticator)
NOW = "2026-03-02 09:00:00 -05:00"
MIGRATION = importlib.import_module("guichet.accounts.migrations.0007_totp_secret_encrypted")
BEFORE = ("accounts", "0006_access_change_history")
AFTER = ("accounts", "0007_totp_secret_encrypted")


def raw_secret(device_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device_id])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def write_raw_secret(device_id: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_totpdevice SET secret = %s WHERE id = %s", [value, device_id]
        )


@pytest.fixture
def agent() -> User:
    return User.objects.create_user("agent.totp@example.org", PASSWORD)


def enrolled(user: User, secret: str = SECRET) -> TotpDevice:
    assert services.totp_device_confirm(user=user, secret=secret, code=code_for(secret)).ok
    return TotpDevice.objects.get(user=user)


def test_the_secret_field_is_one_of_the_encrypted_fields() -> None:
    assert [f.name for f in encrypted_fields(TotpDevice)] == ["secret"]


def test_the_column_holds_no_clear_secret_and_the_device_still_checks_codes(agent: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        device = enrolled(agent)
        stored = raw_secret(device.pk)
        assert stored.startswith("gAAAAA")  # a Fernet token
        assert SECRET not in stored and SECRET.lower() not in stored
        assert SECRET not in stored.replace(" ", "")
        assert TotpDevice.objects.get(pk=device.pk).secret == SECRET

        # The code that confirmed the enrolment cannot be replayed; the next step's can.
        replay = services.totp_device_verify(user=agent, code=code_for(SECRET))
        assert (replay.ok, replay.reused) == (False, True)
        traveller.shift(30)
        code = code_for(SECRET)
        accepted = services.totp_device_verify(user=agent, code=code)
        assert accepted.step == totp.time_step(time.time())
        again = services.totp_device_verify(user=agent, code=code)
        assert (again.ok, again.reused) == (False, True)
        assert raw_secret(device.pk) == stored  # checking a code does not rewrite the secret


def test_replacing_the_application_stores_the_new_secret_encrypted(agent: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        device = enrolled(agent)
        traveller.shift(30)
        new = totp.new_secret()
        enrolled(agent, new)
        stored = raw_secret(device.pk)
        assert stored.startswith("gAAAAA") and new not in stored
        assert TotpDevice.objects.get(pk=device.pk).secret == new


def test_key_rotation_re_encrypts_the_secret(
    agent: User, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.GUICHET_FIELD_KEYS = [old]
    with time_machine.travel(NOW, tick=False) as traveller:
        device = enrolled(agent)
        before = raw_secret(device.pk)
        assert Fernet(old.encode()).decrypt(before.encode()).decode() == SECRET

        settings.GUICHET_FIELD_KEYS = [new, old]
        run = run_command(capsys, "rotate-field-keys")
        assert run.code == 0
        assert "accounts.TotpDevice.secret : 1 valeur(s)" in run.out

        after = raw_secret(device.pk)
        assert after != before
        assert Fernet(new.encode()).decrypt(after.encode()).decode() == SECRET
        settings.GUICHET_FIELD_KEYS = [new]  # the old key is gone: codes still work
        traveller.shift(30)
        assert services.totp_device_verify(user=agent, code=code_for(SECRET)).ok


def test_the_conversion_encrypts_a_clear_secret_once_and_reverses(agent: User) -> None:
    device = TotpDevice.objects.create(user=agent, secret=SECRET, confirmed_at=timezone.now())
    write_raw_secret(device.pk, SECRET)  # as 0006 stored it
    other = User.objects.create_user("autre.totp@example.org", PASSWORD)
    other_secret = totp.new_secret()
    encrypted = TotpDevice.objects.create(user=other, secret=other_secret)
    token = raw_secret(encrypted.pk)

    # The conversion uses only the schema editor's connection; a real schema editor cannot be
    # opened inside the test's transaction on SQLite.
    editor = SimpleNamespace(connection=connection)
    assert MIGRATION.encrypt_clear_secrets(django_apps, editor) == 1
    converted = raw_secret(device.pk)
    assert converted.startswith("gAAAAA") and SECRET not in converted
    assert TotpDevice.objects.get(pk=device.pk).secret == SECRET
    assert raw_secret(encrypted.pk) == token  # an encrypted secret is left alone

    assert MIGRATION.encrypt_clear_secrets(django_apps, editor) == 0  # nothing twice
    assert MIGRATION.decrypt_secrets(django_apps, editor) == 2
    assert raw_secret(device.pk) == SECRET
    assert raw_secret(encrypted.pk) == other_secret


@pytest.mark.django_db(transaction=True)
def test_migration_0007_converts_an_existing_clear_secret_and_back() -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        person = old.get_model("accounts", "User").objects.create(
            email="avant@example.org",
            password="!",  # noqa: S106 (an unusable password)
            date_joined=timezone.now(),
        )
        created = old.get_model("accounts", "TotpDevice").objects.create(
            user_id=person.pk, secret=SECRET, created_at=timezone.now()
        )
        assert raw_secret(created.pk) == SECRET

        executor.loader.build_graph()
        executor.migrate([AFTER])
        stored = raw_secret(created.pk)
        assert stored.startswith("gAAAAA") and SECRET not in stored
        assert TotpDevice.objects.get(pk=created.pk).secret == SECRET

        executor.loader.build_graph()
        executor.migrate([BEFORE])  # reversible: back to the clear column of 0006
        assert raw_secret(created.pk) == SECRET
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
