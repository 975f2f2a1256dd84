"""The public directory (by need and region, a partner's contact sent by e-mail) and the
agent's referral from a dossier page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from guichet.accounts.decorators import signed_in_user, staff_required
from guichet.dossiers.selectors import dossier_get_for_staff
from guichet.referrals.forms import FilterForm, ReferForm, SendForm
from guichet.referrals.models import Origin, Partner
from guichet.referrals.services import ReferralError, partners_matching, referral_make


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    need = region = ""
    if form.is_valid():
        need, region = form.cleaned_data["need"], form.cleaned_data["region"]
    return render(
        request,
        "referrals/directory.html",
        {"form": form, "partners": partners_matching(need=need, region=region)},
    )


@require_http_methods(["GET", "POST"])
def partner(request: HttpRequest, code: str) -> HttpResponse:
    found = Partner.objects.filter(code=code, active=True).first()
    if found is None:
        raise Http404("Organisme introuvable")
    form = SendForm(request.POST or None, initial={"need": request.GET.get("besoin", "")})
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request) if request.user.is_authenticated else None
        try:
            referral_make(
                partner=found,
                need=form.cleaned_data["need"],
                origin=Origin.PUBLIC,
                person_email=form.cleaned_data["email"],
                actor=user,
            )
        except ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Les coordonnées de l'organisme vous sont envoyées."))
            return redirect("referrals:partner", code=found.code)
    return render(
        request,
        "referrals/partner.html",
        {"partner": found, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """An agent directs the client of a dossier of their unit to a partner."""
    user = signed_in_user(request)
    number = request.GET.get("dossier", "")
    dossier = dossier_get_for_staff(user, number, why="orientation vers un organisme partenaire")
    form = ReferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral_make(
                partner=data["partner"],
                need=data["need"],
                region=data["region"],
                reason=data["reason"],
                origin=Origin.DOSSIER,
                person_email=dossier.applicant_email,
                actor=user,
                dossier=dossier,
            )
        except ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Orientation inscrite ; la personne reçoit les coordonnées.")
            return redirect("office:dossier", number=dossier.number)
    return render(
        request,
        "referrals/refer.html",
        {"dossier": dossier, "form": form},
        status=400 if form.errors else 200,
    )
