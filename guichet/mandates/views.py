"""The mandates in the portal: give and revoke (the client), "Mes mandats" (the consultant).

The consultant acts on a dossier through the portal's own pages (guichet/dossiers/views/
portal.py), which reach it through the access-scoped getter that knows about mandates.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import signed_in_user
from guichet.dossiers.selectors import dossier_get_for_owner
from guichet.mandates.forms import GrantForm
from guichet.mandates.models import Mandate
from guichet.mandates.selectors import consultant_of, mandate_of_dossier, mandates_held_by
from guichet.mandates.services import MandateError, mandate_grant, mandate_revoke


@login_required
@require_http_methods(["GET", "POST"])
def grant(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_get_for_owner(user, number, why="démarche du client")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate = mandate_grant(
                dossier=dossier,
                recognition_number=form.cleaned_data["recognition_number"],
                email=form.cleaned_data["email"],
                actor=user,
            )
        except MandateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Mandat donné à %(consultant)s. Vous pouvez le révoquer à tout moment.")
                % {"consultant": mandate.consultant},
            )
            return redirect("portal:dossier", number=dossier.number)
    return render(
        request,
        "mandates/grant.html",
        {"dossier": dossier, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_get_for_owner(user, number, why="démarche du client")
    mandate = mandate_of_dossier(dossier, pk)
    try:
        mandate_revoke(mandate=mandate, actor=user)
    except MandateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Le mandat de %(consultant)s est révoqué : il n'a plus accès à ce dossier.")
            % {"consultant": mandate.consultant},
        )
    return redirect("portal:dossier", number=dossier.number)


@login_required
@require_safe
def held(request: HttpRequest) -> HttpResponse:
    """The consultant's mandates: those in force today (with a link to each dossier), and
    the ended ones (revoked, or while the recognition is not valid), without a link."""
    user = signed_in_user(request)
    consultant = consultant_of(user)
    if consultant is None:
        raise Http404("Page introuvable")
    today = timezone.localdate()
    recognized = consultant.is_recognized_on(today)
    current: list[Mandate] = []
    ended: list[Mandate] = []
    for mandate in mandates_held_by(user):
        (current if recognized and not mandate.is_revoked else ended).append(mandate)
    return render(
        request,
        "mandates/held.html",
        {"consultant": consultant, "recognized": recognized, "current": current, "ended": ended},
    )
