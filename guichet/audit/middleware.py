"""Remember the path of the request being answered, for the access log.

The access-scoped getters and the dossier services record reads and changes without being
handed the request; the path (never the query string, which may hold an e-mail address being
searched) comes from here.
"""

import contextvars
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

current_path: contextvars.ContextVar[str] = contextvars.ContextVar("guichet_path", default="")


class RequestPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = current_path.set(request.path[:300])
        try:
            return self.get_response(request)
        finally:
            current_path.reset(token)
