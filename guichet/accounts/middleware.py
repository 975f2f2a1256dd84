"""The second factor, enforced on every page.

- A session logged in without giving the code of the person's authenticator application
  (through another door than our log-in page) is sent to /accounts/verification/.
- Staff must use a second factor (`GUICHET_STAFF_MFA_REQUIRED`, on by default): until they have
  enrolled an application, they reach nothing but the enrolment page, the confirmation of their
  password and log-out. The back office is thus only open to sessions that proved the code.

Static files, those account pages and the API (authenticated by token, not by session) are
exempt. Placed right after AuthenticationMiddleware.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

from guichet.accounts import mfa


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._exempt_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self._redirect(request) or self.get_response(request)

    def _exempt(self, path: str) -> bool:
        if self._exempt_paths is None:  # reversed lazily: the URLconf is not ready at start-up
            self._exempt_paths = frozenset(
                reverse(name)
                for name in ("accounts:enrol", "accounts:verify", "accounts:reauth", "logout")
            )
        static = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None
        return (
            path in self._exempt_paths
            or path.startswith("/api/")
            or bool(static and path.startswith(static))
        )

    def _redirect(self, request: HttpRequest) -> HttpResponseBase | None:
        if self._exempt(request.path_info):
            return None
        if not request.user.is_authenticated or mfa.session_is_verified(request):
            return None
        state = mfa.second_factor_state(request.user)
        if state is mfa.SecondFactor.VERIFY:
            return redirect_to_login(request.get_full_path(), reverse("accounts:verify"))
        if state is mfa.SecondFactor.ENROL and settings.GUICHET_STAFF_MFA_REQUIRED:
            return redirect_to_login(request.get_full_path(), reverse("accounts:enrol"))
        return None
