"""The portal's public address, for the links in e-mails (activation, password reset, a
letter waiting, a mandate, a privacy request's answer).

`GUICHET_PUBLIC_URL` (e.g. `https://guichet.example.gouv.qc.ca`) is the address people reach
the portal at. A link is never built from a fixed address the server may not be running at.
When the variable is unset, a system check warns at start (`guichet.W001`, shown by `migrate`,
`runserver`, `check`) and links are built from the request being answered (its scheme and
`Host`, which `ALLOWED_HOSTS` has checked): right for `make run` and the tests, where the
server's address is known only once it listens. Links made outside any request (the
background worker's e-mails) then use the last address a request was answered at in this
process, or `http://127.0.0.1:8000` before any. Set the variable in production: a reverse
proxy's `Host` is not a public address to trust in e-mails.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.http import HttpRequest

FALLBACK = "http://127.0.0.1:8000"
_last_seen = {"base": ""}


def public_base(request: HttpRequest | None = None) -> str:
    """The public address without a trailing slash."""
    configured: str = getattr(settings, "GUICHET_PUBLIC_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        base = f"{request.scheme}://{request.get_host()}"
        _last_seen["base"] = base
        return base
    return _last_seen["base"] or FALLBACK


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (from reverse()) as a full address for an e-mail."""
    return f"{public_base(request)}{path}"


@register("guichet")
def check_public_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "GUICHET_PUBLIC_URL", ""):
        return []
    return [
        Warning(
            "GUICHET_PUBLIC_URL n'est pas défini : les liens des courriels (activation, mot de "
            "passe, lettres) sont construits à partir de l'adresse de la requête.",
            hint="Définissez GUICHET_PUBLIC_URL, p. ex. https://guichet.example.gouv.qc.ca "
            "(docs/accounts.md, .env.example).",
            id="guichet.W001",
        )
    ]
