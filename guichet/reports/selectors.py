"""Who may see results: supervisors, for the units they supervise.

The dashboard and its drill-downs show the figures of the supervisor's units only; the dossiers
behind a figure are also read through `dossiers_of_staff`, the back office's own scope. Anyone
else gets a 404, as for a dossier they may not see.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from guichet.accounts.models import StaffRole, Unit, User

# The unit roles that see the results of their units.
RESULT_ROLES = (StaffRole.SUPERVISOR,)


def supervised_units(user: object) -> QuerySet[Unit]:
    if not isinstance(user, User) or not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, memberships__role__in=RESULT_ROLES).order_by(
        "name"
    )


def supervisor_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not supervised_units(request.user).exists():
            raise Http404("Page introuvable")
        return view(request, *args, **kwargs)

    return wrapper
