from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from guichet.catalogue.services import declaration_in_force


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The public home: the services of the declaration in force today, by group."""
    declaration = declaration_in_force(on=timezone.localdate())
    groups = []
    if declaration is not None:
        groups = list(
            declaration.groups.prefetch_related("services__commitments").order_by("position")
        )
    return render(request, "catalogue/home.html", {"declaration": declaration, "groups": groups})
