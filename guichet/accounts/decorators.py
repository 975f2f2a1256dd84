"""Who may reach a page: the signed-in person, and the role checks of every area, written once.

Each check answers 404 to anyone signed in without the role (no hint that the page exists), and
sends anyone not signed in to the log-in page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from guichet.accounts.models import GlobalRole, User, has_role, units_of_request_user
from guichet.accounts.selectors import is_administrator, supervised_units

View = Callable[..., HttpResponseBase]


def signed_in_user(request: HttpRequest) -> User:
    """The account of a request that a login check already let through."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required ran first)
    return user


def role_required(allowed: Callable[[User], bool]) -> Callable[[View], View]:
    """A view only for signed-in people for whom `allowed(user)` holds; 404 for the others."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(signed_in_user(request)):
                raise Http404("Page introuvable")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view: View) -> View:
    """Only members of a unit reach the back office; the page gets their units
    (`request.units`, the worklist shows them)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        units = units_of_request_user(signed_in_user(request))
        if not units:
            raise Http404("Page introuvable")
        request.units = units  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


# Supervisors of a unit: the results of the units they supervise.
supervisor_required = role_required(lambda user: supervised_units(user).exists())
# The privacy officer's screens.
privacy_officer_required = role_required(lambda user: has_role(user, GlobalRole.PRIVACY_OFFICER))
# The Administration area (roles and units).
administrator_required = role_required(is_administrator)
