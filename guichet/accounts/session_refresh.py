"""The idle timeout without a database write on every page.

Sessions end after `SESSION_COOKIE_AGE` seconds without activity (30 minutes). Django's
`SESSION_SAVE_EVERY_REQUEST` would keep that exact by writing and committing the session on
every request: an UPDATE and an fsync for every page of the back office (docs/bench.md).
Instead, an active session is saved again once its last save is `REFRESH_AFTER` seconds old:
the idle timeout then falls between 29 and 30 minutes, and a busy agent costs one write a
minute instead of one per click.

Placed right after SessionMiddleware, so that its response passes here before the session
middleware decides whether to save.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

REFRESH_AFTER = 60  # seconds
STAMP_KEY = "_guichet_refreshed_at"


class SessionRefreshMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        if session.modified or now - int(session.get(STAMP_KEY, 0)) >= REFRESH_AFTER:
            session[STAMP_KEY] = now  # marks the session modified: it is saved with a new expiry
        return response
