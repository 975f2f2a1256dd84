"""Small helpers for the account tests."""

import re
import time
from typing import Any

from django.core import mail
from django.test import Client

from guichet.accounts import totp


def code_for(secret: str, at: float | None = None) -> str:
    """The code an authenticator application shows now (or at `at`)."""
    return totp.totp(totp.secret_bytes(secret), time.time() if at is None else at)


def link_in(message: Any, path_prefix: str) -> str:
    """The path of the link in an e-mail that starts with `path_prefix`."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S*)", message.body)
    assert found, message.body
    return found.group(1)


def last_mail() -> Any:
    assert mail.outbox, "no e-mail sent"
    return mail.outbox[-1]


def log_in(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password})
