"""Staff searches that name a person, kept out of addresses.

A search sent with GET puts its terms in the address: an e-mail address searched for would
end up in every web server's and proxy's access log, in the browser's history and in the
Referer of the next request. Such searches are sent with POST (with the CSRF token) instead;
their criteria are kept in the session, on the server, under a short random reference, and the
results page's address carries only that reference: it can be reloaded, paged and bookmarked
for as long as the session lasts.

    ref = search_remember(request, "journal", {"personne": "a@example.org"})
    return redirect("privacy:access_log_results", ref=ref)
    ...
    criteria = search_recall(request, "journal", ref)  # None once the session is gone
"""

import secrets
from typing import Any

from django.http import HttpRequest

# Searches kept per kind, per session; the oldest is forgotten first.
KEPT_SEARCHES = 20


def _key(kind: str) -> str:
    return f"guichet_searches:{kind}"


def search_remember(request: HttpRequest, kind: str, criteria: dict[str, str]) -> str:
    """Keep `criteria` in the session and return the reference to put in the address. The
    same criteria get the same reference again (the back button and a bookmark agree)."""
    saved: dict[str, Any] = dict(request.session.get(_key(kind)) or {})
    ref = next((r for r, c in saved.items() if c == criteria), None)
    if ref is None:
        ref = secrets.token_urlsafe(8)
    else:
        del saved[ref]  # moved to the end: the most recent
    saved[ref] = dict(criteria)
    for old in list(saved)[:-KEPT_SEARCHES]:
        del saved[old]
    request.session[_key(kind)] = saved
    return ref


def search_recall(request: HttpRequest, kind: str, ref: str) -> dict[str, str] | None:
    """The criteria kept under `ref` in this session, or None (another session's reference,
    an expired session, a made-up reference)."""
    saved = request.session.get(_key(kind))
    found = saved.get(ref) if isinstance(saved, dict) else None
    return dict(found) if isinstance(found, dict) else None
