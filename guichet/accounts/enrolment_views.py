"""Proof of the mailbox before a staff member's first authenticator application.

Staff with no application are sent here by the enrolment page: Guichet e-mails a one-time code
to the account's address and the person types it back; only then does the enrolment page show
the secret. Clients never see this page (404), nor staff who already have an application (they
replace it from a session that proved it).

Staff screens are French only: this module and its templates are left out of the English and
Spanish catalogues (`STAFF_ONLY` in `guichet/dossiers/management/commands/makemessages.py`),
which is also why the page's small form lives here rather than in forms.py.
"""

from typing import Any
from urllib.parse import urlencode

from axes.helpers import get_lockout_response
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from guichet.accounts import mfa, services, totp
from guichet.accounts.decorators import signed_in_user
from guichet.accounts.forms import one_time_code_input
from guichet.accounts.models import EnrolmentCode
from guichet.accounts.reauth import recent_auth_ok
from guichet.accounts.selectors import enrolment_code_pending
from guichet.accounts.views import _count_failure, _locked_out, _safe_next

Outcome = services.EnrolmentCodeOutcome
SEND = "envoyer"  # the name of the button that asks for a code


class MailboxCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code reçu par courriel"),
        help_text=gettext_lazy("Les 8 chiffres du courriel que Guichet vient de vous envoyer."),
        max_length=20,
        widget=one_time_code_input(),
    )

    def clean_code(self) -> str:
        code = totp.normalize_code(str(self.cleaned_data["code"]))
        digits = EnrolmentCode.DIGITS
        if len(code) != digits or not code.isascii() or not code.isdigit():
            raise ValidationError(
                _("Entrez les %(digits)d chiffres du code reçu par courriel.") % {"digits": digits},
                code="format",
            )
        return code


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _refusal(check: services.EnrolmentCodeCheck) -> str:
    if check.outcome is Outcome.WRONG:
        return ngettext(
            "Ce code n'est pas le bon. Il vous reste %(count)d essai.",
            "Ce code n'est pas le bon. Il vous reste %(count)d essais.",
            check.remaining,
        ) % {"count": check.remaining}
    return {
        Outcome.TOO_MANY: _(
            "Trop de codes incorrects : ce code ne fonctionne plus. Demandez-en un nouveau."
        ),
        Outcome.EXPIRED: _("Ce code a expiré. Demandez-en un nouveau."),
        Outcome.USED: _("Ce code a déjà servi. Demandez-en un nouveau."),
        Outcome.NONE: _("Aucun code n'est en attente : demandez d'abord un code par courriel."),
    }[check.outcome]


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol_mailbox(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    if not mfa.second_factor_mandatory(user):
        raise Http404("Page introuvable")
    next_url = _safe_next(request, "")
    enrol_url = _with_next("accounts:enrol", next_url)
    if not mfa.enrolment_needs_mailbox_proof(user) or services.enrolment_mailbox_proved(
        user=user, proof=mfa.mailbox_proof_get(request, user)
    ):
        return redirect(enrol_url)
    if not recent_auth_ok(request):  # as on the enrolment page: the password, a moment ago
        return redirect_to_login(request.get_full_path(), reverse("accounts:reauth"))

    form = MailboxCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and SEND in request.POST:
        sent = services.enrolment_code_send(user=user)
        if sent.sent:
            messages.success(
                request,
                _(
                    "Un code à %(digits)d chiffres vient d'être envoyé à %(email)s. Il est "
                    "valide %(minutes)d minutes."
                )
                % {
                    "digits": EnrolmentCode.DIGITS,
                    "email": user.email,
                    "minutes": int(EnrolmentCode.VALIDITY.total_seconds() // 60),
                },
            )
        else:
            messages.error(
                request,
                ngettext(
                    "Un code vient d'être envoyé. Attendez encore %(count)d seconde avant "
                    "d'en demander un nouveau.",
                    "Un code vient d'être envoyé. Attendez encore %(count)d secondes avant "
                    "d'en demander un nouveau.",
                    sent.wait,
                )
                % {"count": sent.wait},
            )
        return redirect(_with_next("accounts:enrol_mailbox", next_url))
    if request.method == "POST" and _locked_out(request, user):
        lockout: HttpResponseBase = get_lockout_response(request, None, {"username": user.email})
        return lockout
    if request.method == "POST" and form.is_valid():
        check = services.enrolment_code_check(user=user, code=form.cleaned_data["code"])
        if check.outcome is Outcome.ACCEPTED and check.proof is not None:
            mfa.mailbox_proof_set(request, user, check.proof)
            messages.success(
                request,
                _(
                    "Votre adresse courriel est confirmée. Configurez maintenant votre "
                    "application d'authentification."
                ),
            )
            return redirect(enrol_url)
        if check.outcome in (Outcome.WRONG, Outcome.TOO_MANY):
            _count_failure(request, user)  # like a wrong password, towards the lock-out
        form.add_error("code", _refusal(check))

    context: dict[str, Any] = {
        "form": form,
        "pending": enrolment_code_pending(user),
        "digits": EnrolmentCode.DIGITS,
        "minutes": int(EnrolmentCode.VALIDITY.total_seconds() // 60),
        "tries": EnrolmentCode.MAX_ATTEMPTS,
        "send": SEND,
        "next": next_url,
    }
    return render(request, "enrolment/mailbox.html", context)
