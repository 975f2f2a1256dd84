from django.http import Http404
from django.urls import path

app_name = "referrals"


def _todo(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


urlpatterns = [
    path("organismes/", _todo, name="directory"),
    path("bureau/orientations/nouvelle/", _todo, name="refer"),
]
