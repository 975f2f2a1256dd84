from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from guichet.accounts.models import Membership


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Staff land on their worklist, clients on their dossiers."""
    if Membership.objects.filter(user=request.user.pk).exists():
        return redirect("office:worklist")
    return redirect("portal:my_dossiers")
