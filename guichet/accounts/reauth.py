"""Re-authentication before sensitive actions.

A view wrapped in `recent_auth_required` runs only when the signed-in person confirmed their
password — and the code of their authenticator application, when they have one — in this
session during the last five minutes (log-in counts as a confirmation). Otherwise they are
sent to /accounts/confirmer/?next=<this page>, which asks for them and comes back.

    from guichet.accounts.reauth import recent_auth_required

    @recent_auth_required
    def export_everything(request): ...

A POST that arrives too late is not replayed: the person confirms, comes back to the page the
form was on (the Referer, when it is this site) and sends the form again.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from guichet.accounts.mfa import has_confirmed_device

REAUTH_MAX_AGE = 5 * 60  # seconds
SESSION_KEY = "guichet_auth_confirmed"


def record_recent_auth(request: HttpRequest, *, second_factor: bool) -> None:
    """Remember that the person just gave their password (and their code, if `second_factor`)."""
    request.session[SESSION_KEY] = {"at": int(time.time()), "second_factor": second_factor}


def recent_auth_ok(request: HttpRequest) -> bool:
    """True when the signed-in person confirmed who they are less than five minutes ago, with
    their code too when they have an authenticator application."""
    if not request.user.is_authenticated:
        return False
    confirmed = request.session.get(SESSION_KEY)
    if not isinstance(confirmed, dict) or not isinstance(confirmed.get("at"), int):
        return False
    if not 0 <= time.time() - confirmed["at"] < REAUTH_MAX_AGE:
        return False
    return confirmed.get("second_factor") is True or not has_confirmed_device(request.user)


def _come_back_to(request: HttpRequest) -> str:
    """Where to go after the confirmation: this page, or for a form sent with POST the page
    that showed the form (a GET to a POST-only address would fail)."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("after_login")


def recent_auth_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Decorator: ask for the password (and code) again unless confirmed in the last five
    minutes. Anonymous visitors go to the log-in page, as with `login_required`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not recent_auth_ok(request):
            return redirect_to_login(_come_back_to(request), reverse("accounts:reauth"))
        return view(request, *args, **kwargs)

    return wrapper
