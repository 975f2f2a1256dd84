"""Small helpers for the account tests."""

import re
import time
from typing import Any

from django.core import mail
from django.test import Client

from guichet.accounts import totp

MAILBOX = "/accounts/double-authentification/courriel/"


def code_for(secret: str, at: float | None = None) -> str:
    """The code an authenticator application shows now (or at `at`)."""
    return totp.code_at(secret, time.time() if at is None else at)


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


def mailbox_code_in(message: Any) -> str:
    """The eight-digit code of the e-mail sent before a staff member's first enrolment."""
    found = re.search(r"^(\d{8})$", message.body, re.MULTILINE)
    assert found, message.body
    return found.group(1)


def prove_mailbox(client: Client, next_url: str = "") -> str:
    """As a staff member with no application: ask for the e-mailed code and type it, so that
    the enrolment page shows the secret. Return the code."""
    extra = {"next": next_url} if next_url else {}
    sent = client.post(MAILBOX, {"envoyer": "1", **extra})
    assert sent.status_code == 302, sent.content.decode()
    code = mailbox_code_in(last_mail())
    typed = client.post(MAILBOX, {"code": code, **extra})
    assert typed.status_code == 302, typed.content.decode()
    assert typed["Location"].partition("?")[0] == "/accounts/double-authentification/"
    return code
