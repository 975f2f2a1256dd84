from django.contrib import admin
from django.urls import include, path

from guichet.accounts.views import after_login
from guichet.api import api
from guichet.dossiers.urls import office_patterns, portal_patterns

urlpatterns = [
    path("", include("guichet.catalogue.urls")),
    path("", include(portal_patterns)),
    path("bureau/", include(office_patterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/accueil/", after_login, name="after_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
