"""The second factor, enforced on every page.

- A session logged in without giving the code of the person's authenticator application
  (through another door than our log-in page) is sent to /accounts/verification/.
- Staff must use a second factor (`GUICHET_STAFF_MFA_REQUIRED`, on by default): until they have
  enrolled an application, they reach nothing but the enrolment pages (the code e-mailed to
  them first, then the application), the confirmation of their password and log-out. The
  back office is thus only open to sessions that proved the code.

Static files, those account pages and the API (authenticated by token, not by session) are
exempt. Placed right after AuthenticationMiddleware.
"""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from guichet.accounts import language, mfa
from guichet.accounts.models import User


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
                for name in (
                    "accounts:enrol",
                    "accounts:enrol_mailbox",
                    "accounts:verify",
                    "accounts:reauth",
                    "logout",
                )
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
        state = mfa.second_factor_state_on_arrival(request.user)
        if state is mfa.SecondFactor.VERIFY:
            return redirect_to_login(request.get_full_path(), reverse("accounts:verify"))
        if state is mfa.SecondFactor.ENROL and settings.GUICHET_STAFF_MFA_REQUIRED:
            return redirect_to_login(request.get_full_path(), reverse("accounts:enrol"))
        return None


class LanguageMiddleware:
    """The language of each page, in place of Django's LocaleMiddleware (which would follow
    the browser's Accept-Language): the rule of `guichet/accounts/language.py`.

    - Staff: French, always.
    - A signed-in client: French, unless a basis is valid today; then its language, except
      when they chose French for this session (the switch in the header).
    - An anonymous visitor: French, or the language they chose for public pages (a cookie).

    When a client's basis has just expired, the page is in French and says why, once. Placed
    after AuthenticationMiddleware (it needs the user) and MessageMiddleware (it may add a
    message). The language is restored once the response is made, so that nothing else in the
    same thread (a test, a task) inherits it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        code = self._language(request)
        with translation.override(code):
            request.LANGUAGE_CODE = code
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response

    def _language(self, request: HttpRequest) -> str:
        user = request.user
        if not isinstance(user, User):
            return language.visitor_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language.serves_in_french_only(user):
            return language.FRENCH
        today = timezone.localdate()
        # `language_basis` and `expired_declaration` in one read of the declaration in force.
        record = language.current_declaration_on_arrival(user)
        if record is None:
            return language.FRENCH
        if not record.valid_on(today):
            self._say_why(request, user, today)
            return language.FRENCH
        if request.session.get(language.PREFERS_FRENCH_KEY):
            return language.FRENCH
        return record.language

    @staticmethod
    def _say_why(request: HttpRequest, user: User, today: date) -> None:
        from guichet.accounts.services import language_of_service_note_expiry

        expired = language_of_service_note_expiry(user=user, today=today)
        if expired is None or expired.valid_until is None:
            return  # another request of the same person told them first
        request.session.pop(language.PREFERS_FRENCH_KEY, None)
        with translation.override(language.FRENCH):
            messages.warning(
                request,
                _(
                    "Votre langue de service (%(language)s) était valide jusqu'au %(day)s : "
                    "le motif « %(basis)s » ne s'applique plus. Le portail et vos lettres "
                    "sont maintenant en français seulement. Si une autre situation vous y "
                    "donne droit, déclarez-la dans « Langue de service »."
                )
                % {
                    "language": expired.get_language_display(),
                    "day": formats.date_format(expired.valid_until, "j F Y"),
                    "basis": expired.get_basis_display(),
                },
            )
