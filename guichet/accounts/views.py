"""Sign-up, log-in with a second factor, enrolment of an authenticator application,
re-authentication and the landing page after log-in. Password reset and change are Django's
views with our forms and templates (see urls.py)."""

import io
import math
from typing import Any
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts import mfa, services, throttle, totp
from guichet.accounts.decorators import signed_in_user
from guichet.accounts.forms import CodeForm, LoginForm, ReauthForm, ResetRequestForm, SignUpForm
from guichet.accounts.models import GlobalRole, Membership, TotpDevice, User, has_role
from guichet.accounts.reauth import recent_auth_ok, recent_auth_required, record_recent_auth
from guichet.public_url import public_base

ISSUER = "Guichet"
CANDIDATE_KEY = "guichet_totp_candidate"  # the secret being enrolled, until a code confirms it
SIGNUP_TOKEN_KEY = "guichet_signup_token"  # noqa: S105 (a session key)
VERIFY_FAILURES_KEY = "guichet_verify_failures"
REAUTH_FAILURES_KEY = "guichet_reauth_failures"
MAX_REAUTH_FAILURES = 5


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Staff land on their worklist, the privacy officer on the privacy screens, an
    administrator on the Administration area, clients on their dossiers."""
    if Membership.objects.filter(user=request.user.pk).exists():
        return redirect("office:worklist")
    if has_role(request.user, GlobalRole.PRIVACY_OFFICER):
        return redirect("privacy:home")
    if has_role(request.user, GlobalRole.ADMINISTRATOR):
        return redirect("administration:home")
    return redirect("portal:my_dossiers")


# --- Sign-up ----------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("after_login")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_sign_up(
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            base_url=public_base(request),
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_safe
def signup_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail. Opening it changes nothing (mail scanners open links too): a
    valid token is kept in the session, out of the address bar, and the next page asks the
    person to press a button."""
    status, _signup = services.signup_link_check(token)
    if status is not services.LinkStatus.VALID:
        return render(request, "accounts/signup_link_invalid.html", {"status": status.value})
    request.session[SIGNUP_TOKEN_KEY] = token
    return redirect("accounts:signup_activate")


@require_http_methods(["GET", "POST"])
def signup_activate(request: HttpRequest) -> HttpResponse:
    token = str(request.session.get(SIGNUP_TOKEN_KEY, ""))
    status = services.signup_link_check(token)[0] if token else services.LinkStatus.INVALID
    if status is services.LinkStatus.VALID and request.method == "POST":
        status = services.signup_activate(token=token)
        user = services.signup_user(token)
        if status is services.LinkStatus.VALID and user is not None:
            request.session.pop(SIGNUP_TOKEN_KEY, None)
            # The person proved the address is theirs and chose the password a moment ago:
            # signed in at once (a new session key), not sent to the log-in page again.
            auth_login(request, user, backend="guichet.accounts.backends.AccountBackend")
            record_recent_auth(request, second_factor=False)
            messages.success(request, _("Votre compte est activé et vous êtes connecté."))
            return redirect("after_login")
    if status is not services.LinkStatus.VALID:
        request.session.pop(SIGNUP_TOKEN_KEY, None)
        return render(request, "accounts/signup_link_invalid.html", {"status": status.value})
    return render(request, "accounts/signup_activate.html")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with links built on the public address (GUICHET_PUBLIC_URL, see
    guichet/public_url.py) rather than on Django's own `domain`.
    The answer is the same whether the address has an account or not."""

    form_class = ResetRequestForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"base_url": public_base(self.request)}
        return super().form_valid(form)


# --- Log-in and its second step -----------------------------------------------------------


class GuichetLoginView(LoginView):
    """Django's log-in, except that a person with an authenticator application is not logged
    in after the password: the session keeps them pending until the code is given."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = throttle.request_wait(request)
        if wait:
            return self._throttled(wait)
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    def _throttled(self, wait: int) -> HttpResponse:
        """Too many failures from this network: the password is not checked, even a right one
        (else the wait would stop nobody), and the page says how long to wait."""
        form = self.get_form_class()(
            self.request, initial={"username": self.request.POST.get("username", "")}
        )
        context = self.get_context_data(form=form, throttle_message=_throttle_message(wait))
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_success_url()
        if mfa.has_confirmed_device(user):
            mfa.pending_login_start(self.request, user, user.backend, next_url)
            return redirect("accounts:verify")
        auth_login(self.request, user)
        record_recent_auth(self.request, second_factor=False)
        return redirect(next_url)


def _throttle_message(wait: int) -> str:
    if wait < 60:
        return ngettext(
            "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Votre mot "
            "de passe n'a pas été vérifié : réessayez dans %(count)d seconde.",
            "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Votre mot "
            "de passe n'a pas été vérifié : réessayez dans %(count)d secondes.",
            wait,
        ) % {"count": wait}
    minutes = math.ceil(wait / 60)
    return ngettext(
        "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Votre mot de "
        "passe n'a pas été vérifié : réessayez dans %(count)d minute.",
        "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Votre mot de "
        "passe n'a pas été vérifié : réessayez dans %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def _locked_out(request: HttpRequest, user: User) -> bool:
    return bool(settings.AXES_ENABLED) and not AxesProxyHandler.is_allowed(
        request, {"username": user.email}
    )


def _count_failure(request: HttpRequest, user: User) -> None:
    """A wrong code counts like a wrong password towards the lock-out (django-axes)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponseBase:
    """The second step of log-in: the code of the authenticator application.

    It also serves a session that is logged in without having given the code (logged in by
    another way than our log-in page): `SecondFactorMiddleware` sends it here."""
    pending = mfa.pending_login_get(request)
    if pending is not None:
        user = pending.user
        failures = pending.failures
    elif (
        request.user.is_authenticated
        and not mfa.session_is_verified(request)
        and mfa.has_confirmed_device(request.user)
    ):
        user = signed_in_user(request)
        failures = int(request.session.get(VERIFY_FAILURES_KEY, 0))
    elif request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("after_login")))
    else:
        messages.info(request, _("Connectez-vous pour continuer."))
        return redirect("login")

    form = CodeForm(request.POST or None)
    if request.method == "POST" and _locked_out(request, user):
        mfa.pending_login_drop(request)
        lockout: HttpResponseBase = get_lockout_response(request, None, {"username": user.email})
        return lockout
    if request.method == "POST" and form.is_valid():
        result = services.totp_device_verify(user=user, code=form.cleaned_data["code"])
        if result.ok:
            if pending is not None:
                mfa.pending_login_drop(request)
                auth_login(request, user, backend=pending.backend)
                next_url = pending.next_url
            else:
                request.session.pop(VERIFY_FAILURES_KEY, None)
                next_url = _safe_next(request, reverse("after_login"))
            mfa.session_mark_verified(request)
            record_recent_auth(request, second_factor=True)
            return redirect(next_url)
        _count_failure(request, user)
        if pending is not None:
            failures = mfa.pending_login_fail(request)
        else:
            failures += 1
            request.session[VERIFY_FAILURES_KEY] = failures
        if failures >= mfa.MAX_CODE_FAILURES or getattr(request, "axes_locked_out", False):
            mfa.pending_login_drop(request)
            if pending is None:
                auth_logout(request)
            messages.error(
                request, _("Trop de codes incorrects. Pour votre sécurité, reconnectez-vous.")
            )
            return redirect("login")
        form.add_error("code", _code_error(result.reused, mfa.MAX_CODE_FAILURES - failures))
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _safe_next(request, "") if pending is None else ""},
    )


def _code_error(reused: bool, remaining: int) -> str:
    if reused:
        first = _("Ce code a déjà servi. Attendez que votre application en affiche un nouveau.")
    else:
        first = _("Ce code n'est pas le bon. Vérifiez qu'il s'agit du code de Guichet.")
    rest = ngettext(
        "Il vous reste %(count)d essai.", "Il vous reste %(count)d essais.", remaining
    ) % {"count": remaining}
    return f"{first} {rest}"


# --- Enrolment of the authenticator application ------------------------------------------


@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    """The account's security: password, authenticator application."""
    user = signed_in_user(request)
    device = (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).defer("secret").first()
    )
    return render(
        request,
        "accounts/security.html",
        {"device": device, "mandatory": mfa.second_factor_mandatory(user)},
    )


def _enrol_needs_reauth(request: HttpRequest) -> bool:
    """Replacing an application, or adding one to an account that works without, is sensitive:
    whoever holds a forgotten open session could otherwise lock the owner out. Staff who must
    enrol right after log-in have just given their password."""
    return not recent_auth_ok(request)


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    state = mfa.second_factor_state(user)
    if state is mfa.SecondFactor.VERIFY and not mfa.session_is_verified(request):
        return redirect("accounts:verify")
    if _enrol_needs_reauth(request):
        return redirect_to_login(request.get_full_path(), reverse("accounts:reauth"))
    proof = mfa.mailbox_proof_get(request, user)
    if mfa.enrolment_needs_mailbox_proof(user) and not services.enrolment_mailbox_proved(
        user=user, proof=proof
    ):
        # Staff's first application: no secret is shown, and none confirmed, before the code
        # e-mailed to the account is typed (guichet/accounts/enrolment_views.py).
        request.session.pop(CANDIDATE_KEY, None)
        next_url = _safe_next(request, "")
        mailbox = reverse("accounts:enrol_mailbox")
        return redirect(f"{mailbox}?{urlencode({'next': next_url})}" if next_url else mailbox)
    secret = request.session.get(CANDIDATE_KEY)
    if not isinstance(secret, str) or (request.method == "GET" and "nouveau" in request.GET):
        secret = totp.new_secret()
        request.session[CANDIDATE_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.totp_device_confirm(
            user=user, secret=secret, code=form.cleaned_data["code"], mailbox_proof=proof
        )
        if result.ok:
            request.session.pop(CANDIDATE_KEY, None)
            mfa.mailbox_proof_drop(request)
            mfa.session_mark_verified(request)
            record_recent_auth(request, second_factor=True)
            messages.success(
                request,
                _(
                    "La validation en deux étapes est activée. À chaque connexion, Guichet vous "
                    "demandera un code de votre application."
                ),
            )
            return redirect(_safe_next(request, reverse("accounts:security")))
        form.add_error(
            "code",
            _(
                "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et que la clé a "
                "été saisie en entier, puis entrez le code affiché en ce moment."
            ),
        )
    uri = totp.provisioning_uri(secret, user.email, ISSUER)
    qr_svg: str = ""
    try:
        # segno's SVG: numbers, colours and the escaped title only.
        qr_svg = mark_safe(qr_code_svg(uri, _("Code QR de configuration pour Guichet")))  # noqa: S308
    except segno.DataOverflowError:  # beyond any QR code (2,000 bytes): the key and text remain
        pass
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "grouped_secret": totp.grouped(secret),
            "uri": uri,
            "qr_svg": qr_svg,
            "replacing": state is mfa.SecondFactor.VERIFY,
            "mandatory": mfa.second_factor_mandatory(user),
            "next": _safe_next(request, ""),
        },
    )


def qr_code_svg(text: str, title: str) -> str:
    """The QR code of `text` (error correction level M, or better where it costs no size) as an
    inline SVG image: `role="img"` with `title` as its text alternative, the four-module quiet
    zone on a white ground, 4 px a module. segno draws with presentation attributes (`fill`,
    `stroke`, `transform`), never a `style` attribute or element, which the CSP would block."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=4,
        light="#fff",
        title=title,
        svgclass=None,
        lineclass=None,
        encoding="utf-8",
    )
    # The opening <svg …> tag, whose attributes are numbers, gets the image role.
    opening, end, rest = buffer.getvalue().decode("utf-8").partition(">")
    return f'{opening} role="img"{end}{rest}'


@login_required
@require_POST
@recent_auth_required
def remove_device(request: HttpRequest) -> HttpResponse:
    """Clients may go back to the password alone; staff may only replace their application."""
    user = signed_in_user(request)
    if mfa.second_factor_mandatory(user):
        messages.error(
            request,
            _(
                "La validation en deux étapes est obligatoire pour le personnel : remplacez "
                "votre application plutôt que de la retirer."
            ),
        )
        return redirect("accounts:security")
    services.totp_device_remove(user=user, actor=user)
    mfa.session_clear_verified(request)
    messages.success(request, _("La validation en deux étapes est désactivée."))
    return redirect("accounts:security")


# --- Re-authentication -----------------------------------------------------------------


@never_cache
@login_required
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponseBase:
    """Confirm the password (and the code) before a sensitive action, then go back to it."""
    user = signed_in_user(request)
    with_code = mfa.has_confirmed_device(user)
    form = ReauthForm(request.POST or None, request=request, user=user, with_code=with_code)
    next_url = _safe_next(request, reverse("after_login"))
    if request.method == "POST":
        reused = False
        confirmed = form.is_valid()
        if confirmed and with_code:
            result = services.totp_device_verify(user=user, code=form.cleaned_data["code"])
            confirmed, reused = result.ok, result.reused
            if not confirmed:
                _count_failure(request, user)  # a wrong password was counted by authenticate()
        if confirmed:
            request.session.pop(REAUTH_FAILURES_KEY, None)
            if with_code:
                mfa.session_mark_verified(request)
            record_recent_auth(request, second_factor=with_code)
            return redirect(next_url)
        failures = int(request.session.get(REAUTH_FAILURES_KEY, 0)) + 1
        request.session[REAUTH_FAILURES_KEY] = failures
        if failures >= MAX_REAUTH_FAILURES or getattr(request, "axes_locked_out", False):
            auth_logout(request)
            messages.error(
                request, _("Trop d'essais incorrects. Pour votre sécurité, reconnectez-vous.")
            )
            return redirect("login")
        if form.is_valid():  # the password was right, the code was not
            form.add_error("code", _code_error(reused, MAX_REAUTH_FAILURES - failures))
    return render(
        request, "accounts/reauth.html", {"form": form, "next": next_url, "with_code": with_code}
    )
