"""The Administration area: staff and their roles, units and the services they own, the
history of changes. Only administrators reach it (anyone else signed in gets a 404, not a
hint); every change asks them to have confirmed their password (and code) in the last five
minutes."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts import selectors, services
from guichet.accounts.administration.forms import (
    MembershipGrantForm,
    PersonSearchForm,
    RevokeForm,
    RoleGrantForm,
    ServiceAssignForm,
    UnitForm,
)
from guichet.accounts.decorators import administrator_required, signed_in_user
from guichet.accounts.models import StaffRole, User
from guichet.accounts.reauth import recent_auth_ok, recent_auth_required
from guichet.accounts.services import AdministrationError
from guichet.pagination import before_id, newest_first_page

HISTORY_PAGE_SIZE = 100
PERSON_HISTORY_SIZE = 50


def reauth_before_change(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A page that shows a form (GET) and makes a change (POST): only the change asks for a
    recent confirmation of the password."""
    guarded = recent_auth_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            return guarded(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def _warn_after_grant(request: HttpRequest, person: User) -> None:
    warnings = selectors.staff_warnings(person)
    if warnings.must_enrol:
        messages.warning(
            request,
            _(
                "Cette personne n'a pas encore d'application d'authentification : à sa prochaine "
                "page, Guichet lui demandera d'en configurer une avant toute autre chose."
            ),
        )


# --- Staff ------------------------------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The staff list, and finding anyone (staff or not) by e-mail address. The address is
    sent with POST and the answer is a redirect to the person's page, by account number: it
    never appears in an address, so never in a server's or proxy's log."""
    viewer = signed_in_user(request)
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            person = selectors.person_find_by_email(viewer, form.cleaned_data["courriel"])
            if person is not None:
                return redirect("administration:person", person_id=person.pk)
            form.add_error("courriel", _("Aucun compte n'a cette adresse courriel."))
            status = 404
        else:
            status = 400
    return render(
        request,
        "administration/home.html",
        {"form": form, "staff": selectors.staff_list(viewer)},
        status=status,
    )


def _person_page(
    request: HttpRequest, person: User, *, status: int = 200, **forms: Any
) -> HttpResponse:
    viewer = signed_in_user(request)
    warnings = selectors.staff_warnings(person)
    conflict = warnings.client_dossiers > 0
    context = {
        "person": person,
        "is_self": person.pk == viewer.pk,
        "warnings": warnings,
        "memberships": selectors.person_memberships(viewer, person),
        "grants": selectors.person_role_grants(viewer, person),
        "changes": selectors.access_changes(viewer, person=person)[:PERSON_HISTORY_SIZE],
        "reauth_ok": recent_auth_ok(request),
        "membership_form": MembershipGrantForm(prefix="affectation", conflict=conflict),
        "role_form": RoleGrantForm(prefix="role", conflict=conflict),
        "staff_roles": StaffRole,
    }
    context.update(forms)
    return render(request, "administration/person.html", context, status=status)


@administrator_required
@require_safe
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(
        signed_in_user(request), person_id, why="administration des droits d'accès : consultation"
    )
    return _person_page(request, person)


@administrator_required
@require_POST
@recent_auth_required
def membership_grant(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    person = selectors.person_get(actor, person_id, why=None)
    conflict = selectors.staff_warnings(person).client_dossiers > 0
    form = MembershipGrantForm(request.POST, prefix="affectation", conflict=conflict)
    if form.is_valid():
        try:
            membership = services.membership_grant(
                actor=actor,
                user=person,
                unit=form.cleaned_data["unit"],
                role=StaffRole(form.cleaned_data["role"]),
                reason=form.cleaned_data["reason"],
                acknowledge_conflict=form.cleaned_data.get("acknowledge_conflict", False),
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s est maintenant %(role)s de l'unité « %(unit)s ».")
                % {
                    "person": person,
                    "role": membership.get_role_display().lower(),
                    "unit": membership.unit.name,
                },
            )
            _warn_after_grant(request, person)
            return redirect("administration:person", person_id=person.pk)
    return _person_page(request, person, status=400, membership_form=form)


@administrator_required
@require_POST
@recent_auth_required
def role_grant(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    person = selectors.person_get(actor, person_id, why=None)
    conflict = selectors.staff_warnings(person).client_dossiers > 0
    form = RoleGrantForm(request.POST, prefix="role", conflict=conflict)
    if form.is_valid():
        try:
            grant = services.role_grant(
                actor=actor,
                user=person,
                role=form.cleaned_data["role"],
                reason=form.cleaned_data["reason"],
                acknowledge_conflict=form.cleaned_data.get("acknowledge_conflict", False),
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s a maintenant le rôle « %(role)s ».")
                % {"person": person, "role": grant.get_role_display()},
            )
            _warn_after_grant(request, person)
            return redirect("administration:person", person_id=person.pk)
    return _person_page(request, person, status=400, role_form=form)


@administrator_required
@require_http_methods(["GET", "HEAD", "POST"])
@reauth_before_change
def membership_revoke(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    membership = selectors.membership_get(actor, membership_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_revoke(
                actor=actor, membership=membership, reason=form.cleaned_data["reason"]
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s n'est plus %(role)s de l'unité « %(unit)s ».")
                % {
                    "person": membership.user,
                    "role": membership.get_role_display().lower(),
                    "unit": membership.unit.name,
                },
            )
            return redirect("administration:person", person_id=membership.user_id)
    return render(
        request,
        "administration/revoke.html",
        {
            "form": form,
            "person": membership.user,
            "title": _("Mettre fin à une affectation"),
            "what": _("%(role)s de l'unité « %(unit)s »")
            % {"role": membership.get_role_display(), "unit": membership.unit.name},
            "consequence": _(
                "Dès sa prochaine page, cette personne ne verra plus les dossiers de l'unité."
            ),
        },
        status=400 if form.errors else 200,
    )


@administrator_required
@require_http_methods(["GET", "HEAD", "POST"])
@reauth_before_change
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    grant = selectors.role_grant_get(actor, grant_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant_revoke(actor=actor, grant=grant, reason=form.cleaned_data["reason"])
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s n'a plus le rôle « %(role)s ».")
                % {"person": grant.user, "role": grant.get_role_display()},
            )
            if not selectors.is_administrator(actor):  # they took their own role back
                return redirect("after_login")
            return redirect("administration:person", person_id=grant.user_id)
    return render(
        request,
        "administration/revoke.html",
        {
            "form": form,
            "person": grant.user,
            "title": _("Retirer un rôle"),
            "what": grant.get_role_display(),
            "consequence": _("Dès sa prochaine page, cette personne n'aura plus ce rôle."),
        },
        status=400 if form.errors else 200,
    )


# --- Units and services -----------------------------------------------------------------------


def _units_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    viewer = signed_in_user(request)
    services_in_force = selectors.current_services(viewer, on=timezone.localdate())
    names = {s.code: s.name_fr for s in services_in_force}
    units = list(selectors.units(viewer))
    owned = {us.service_code for unit in units for us in unit.services.all()}
    context = {
        "units": [
            {
                "unit": unit,
                "services": [
                    {"code": us.service_code, "name": names.get(us.service_code, "")}
                    for us in unit.services.all()
                ],
                "members": len(unit.memberships.all()),
            }
            for unit in units
        ],
        "unowned": [s for s in services_in_force if s.code not in owned],
        "assign_form": ServiceAssignForm(prefix="service", services=services_in_force),
        "unit_form": UnitForm(prefix="unite"),
        "reauth_ok": recent_auth_ok(request),
    }
    context.update(forms)
    return render(request, "administration/units.html", context, status=status)


@administrator_required
@require_safe
def units(request: HttpRequest) -> HttpResponse:
    return _units_page(request)


@administrator_required
@require_POST
@recent_auth_required
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST, prefix="unite")
    if form.is_valid():
        try:
            unit = services.unit_create(
                actor=signed_in_user(request),
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Unité « %(unit)s » créée.") % {"unit": unit.name})
            return redirect("administration:units")
    return _units_page(request, status=400, unit_form=form)


@administrator_required
@require_POST
@recent_auth_required
def service_assign(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    services_in_force = selectors.current_services(actor, on=timezone.localdate())
    form = ServiceAssignForm(request.POST, prefix="service", services=services_in_force)
    if form.is_valid():
        try:
            owned = services.unit_service_assign(
                actor=actor,
                unit=form.cleaned_data["unit"],
                service_code=form.cleaned_data["service"],
                reason=form.cleaned_data["reason"],
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            name = dict(form.fields["service"].choices)[owned.service_code]  # type: ignore[attr-defined]
            messages.success(
                request,
                _("Le service « %(service)s » relève maintenant de l'unité « %(unit)s ».")
                % {"service": name, "unit": owned.unit.name},
            )
            return redirect("administration:units")
    return _units_page(request, status=400, assign_form=form)


@administrator_required
@require_http_methods(["GET", "HEAD", "POST"])
@reauth_before_change
def service_release(request: HttpRequest, code: str) -> HttpResponse:
    actor = signed_in_user(request)
    owned = selectors.unit_service_get(actor, code)
    names = {s.code: s.name_fr for s in selectors.current_services(actor, on=timezone.localdate())}
    name = names.get(owned.service_code, owned.service_code)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_service_release(
                actor=actor, unit_service=owned, reason=form.cleaned_data["reason"]
            )
        except AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Le service « %(service)s » ne relève plus de l'unité « %(unit)s ».")
                % {"service": name, "unit": owned.unit.name},
            )
            return redirect("administration:units")
    return render(
        request,
        "administration/revoke.html",
        {
            "form": form,
            "title": _("Retirer un service à son unité"),
            "what": _("« %(service)s », unité « %(unit)s »")
            % {"service": name, "unit": owned.unit.name},
            "consequence": _(
                "Les dossiers déjà reçus restent à l'unité. Tant qu'aucune autre unité ne reçoit "
                "ce service, personne ne peut y faire de nouvelle demande."
            ),
            "back": "administration:units",
        },
        status=400 if form.errors else 200,
    )


# --- History ----------------------------------------------------------------------------------


@administrator_required
@require_safe
def history(request: HttpRequest) -> HttpResponse:
    shown = newest_first_page(
        selectors.access_changes(signed_in_user(request)),
        before_id(request.GET.get("avant", "")),
        HISTORY_PAGE_SIZE,
    )
    return render(
        request,
        "administration/history.html",
        {"changes": shown.items, "next_before": shown.next_cursor},
    )
