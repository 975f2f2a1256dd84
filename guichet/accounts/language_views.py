"""The client's language of service (in the account area) and the language switch of the
header. The rule itself is in `guichet/accounts/language.py`; the changes in `services.py`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from guichet.accounts import language, services
from guichet.accounts.decorators import signed_in_user
from guichet.accounts.forms import LanguageOfServiceForm, LanguageSwitchForm
from guichet.accounts.models import LanguageBasis, LanguageOfService, User

LANGUAGE_COOKIE_DAYS = 365


@login_required
@require_http_methods(["GET", "POST"])
def language_of_service(request: HttpRequest) -> HttpResponse:
    """See the current basis and its expiry, the history, and declare a new one."""
    user = signed_in_user(request)
    form = LanguageOfServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.language_of_service_declare(
                user=user,
                actor=user,
                language=data["language"],
                basis=data["basis"],
                arrived_on=data.get("arrived_on"),
                outside_quebec=bool(data.get("outside_quebec")),
                justification=data.get("justification") or "",
            )
        except services.LanguageError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(language.PREFERS_FRENCH_KEY, None)
            messages.success(
                request,
                _(
                    "Votre langue de service est inscrite : %(language)s, en plus du français. "
                    "Vos prochaines lettres seront aussi dans cette langue."
                )
                % {"language": record.get_language_display()},
            )
            return redirect("accounts:language")
    today = timezone.localdate()
    declaration = language.current_declaration(user)
    context = {
        "form": form,
        "staff": language.serves_in_french_only(user),
        "basis": declaration if declaration and declaration.valid_on(today) else None,
        "outside_quebec": LanguageBasis.OUTSIDE_QUEBEC,
        "history": LanguageOfService.objects.filter(user=user)
        .select_related("recorded_by")
        .order_by("-id"),
    }
    return render(request, "accounts/language.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def language_of_service_end(request: HttpRequest) -> HttpResponse:
    """End the language of service at once: French only from the next page on."""
    user = signed_in_user(request)
    try:
        services.language_of_service_end(user=user, actor=user)
    except services.LanguageError as exc:
        messages.error(request, str(exc))
    else:
        request.session.pop(language.PREFERS_FRENCH_KEY, None)
        messages.success(
            request,
            _("Votre langue de service a pris fin : le portail et vos lettres sont en français."),
        )
    return redirect("accounts:language")


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


# No CSRF token: the switch is on every page, and a token would make each page unique and set a
# CSRF cookie for every visitor. Choosing the language of the pages is harmless to forge (the
# person switches back; a basis is never changed here), and the session cookie is SameSite=Lax,
# so another site cannot post with a client's session anyway.
@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """The switch in the header. A visitor chooses French, English or Spanish for public pages
    (a cookie); a client chooses French, or their language of service when a basis is valid
    (kept in the session); staff pages are in French. Anything else changes nothing."""
    response = redirect(_next(request))
    form = LanguageSwitchForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Cette langue n'est pas offerte : choisissez le français, l'anglais ou l'espagnol."),
        )
        return response
    code = form.cleaned_data["language"]
    user = request.user
    if not isinstance(user, User):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 60 * 60,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
        return response
    if code == language.FRENCH:
        request.session[language.PREFERS_FRENCH_KEY] = True
        return response
    basis = language.language_basis(user, timezone.localdate())
    if basis is not None and basis.language == code:
        request.session.pop(language.PREFERS_FRENCH_KEY, None)
        return response
    if language.serves_in_french_only(user):
        messages.error(request, _("Les écrans du personnel sont en français."))
    else:
        messages.error(
            request,
            _(
                "Vos pages sont en français. Une autre langue s'ajoute au français lorsqu'un "
                "motif prévu par la loi s'applique à votre situation : voyez « Langue de "
                "service » dans la sécurité du compte."
            ),
        )
    return response
