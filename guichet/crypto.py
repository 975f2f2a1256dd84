"""Encryption at rest for sensitive identifiers (date of birth, passport number, federal client
identifier).

Keys come from the environment: `GUICHET_FIELD_KEYS` is a comma-separated list of Fernet keys
(`guichet generate-field-key` makes one), the first one encrypts, all of them decrypt. Rotating
is: put a new key first, run `guichet rotate-field-keys`, then drop the old key. Without the
variable (the embedded `make run`), a key is derived from SECRET_KEY: fine for demo data, refused
in production (`GUICHET_REQUIRE_SECRET_KEY=true`).
"""

import base64
import hashlib
from datetime import date
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "GUICHET_FIELD_KEYS must hold Fernet keys (guichet generate-field-key)"
        ) from exc


def field_keys() -> tuple[str, ...]:
    keys = tuple(settings.GUICHET_FIELD_KEYS)
    if keys:
        return keys
    if settings.GUICHET_REQUIRE_SECRET_KEY:
        raise ImproperlyConfigured("GUICHET_FIELD_KEYS must be set in production")
    derived = hashlib.sha256(b"guichet-field-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


def encrypt(plain: str) -> str:
    return _fernet(field_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(field_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "an encrypted value cannot be read with GUICHET_FIELD_KEYS (a key was removed "
            "before `guichet rotate-field-keys` ran?)"
        ) from exc


def rotate(token: str) -> str:
    """The same value, encrypted with the first (current) key."""
    return _fernet(field_keys()).rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text stored encrypted; empty stays empty (nothing to hide, and it can be filtered)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None if value is None else ""
        return encrypt(str(value))


class EncryptedDateField(models.Field[date | None, date | None]):
    """A date stored encrypted (as ISO text inside the ciphertext)."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> date | None:
        if value is None or value == "":
            return None
        return date.fromisoformat(decrypt(value))

    def to_python(self, value: Any) -> date | None:
        if value is None or value == "" or isinstance(value, date):
            return value or None
        return date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return encrypt(value.isoformat())


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's fields stored encrypted (to rotate their key, or to leave them undecrypted
    where a page does not show them)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField | EncryptedDateField)
    ]
