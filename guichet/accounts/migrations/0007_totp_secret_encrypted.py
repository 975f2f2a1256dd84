"""The TOTP secret is stored encrypted (Fernet, `guichet/crypto.py`), like the other sensitive
identifiers, so that `guichet rotate-field-keys` finds it through `crypto.encrypted_fields`.

The column becomes a text column (a Fernet token is longer than the 64 characters of the old
column), then every secret still in clear is encrypted with the current key. The conversion
reads and writes the column with raw SQL: the field of the historical model would try to
decrypt the clear values. It recognizes a clear secret by its shape (base32: capitals, digits 2
to 7, padding) and leaves anything else alone, so running it twice changes nothing.

Reversible: going back decrypts every secret into the old 64-character column (which needs the
keys that encrypted them), because the code of 0006 reads the secret in clear.
"""

import re
from typing import Any

from django.db import migrations

import guichet.crypto

_CLEAR_SECRET = re.compile(r"[A-Z2-7=\s]+")


def _table(apps: Any) -> str:
    return str(apps.get_model("accounts", "TotpDevice")._meta.db_table)


def _convert(apps: Any, schema_editor: Any, *, to_clear: bool) -> int:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table = quote(_table(apps))
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 (a table name)
        for row_id, value in cursor.fetchall():
            if not value:
                continue
            clear = _CLEAR_SECRET.fullmatch(value) is not None
            if clear is to_clear:
                continue  # already in the wanted form
            new = guichet.crypto.decrypt(value) if to_clear else guichet.crypto.encrypt(value)
            cursor.execute(
                f"UPDATE {table} SET secret = %s WHERE id = %s",  # noqa: S608 (a table name)
                [new, row_id],
            )
            changed += 1
    return changed


def encrypt_clear_secrets(apps: Any, schema_editor: Any) -> int:
    """Encrypt every secret still stored in clear; return how many were."""
    return _convert(apps, schema_editor, to_clear=False)


def decrypt_secrets(apps: Any, schema_editor: Any) -> int:
    """Back to clear secrets, for the schema of 0006; return how many were decrypted."""
    return _convert(apps, schema_editor, to_clear=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_access_change_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=guichet.crypto.EncryptedTextField(verbose_name="secret (base32)"),
        ),
        migrations.RunPython(encrypt_clear_secrets, decrypt_secrets, elidable=False),
    ]
