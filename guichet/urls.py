from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from guichet.accounts.views import after_login
from guichet.api import api
from guichet.appointments.urls import office_patterns as appointment_office_patterns
from guichet.appointments.urls import portal_patterns as appointment_portal_patterns
from guichet.dossiers.urls import office_patterns, portal_patterns

urlpatterns = [
    path("", include("guichet.catalogue.urls")),
    path("", include(portal_patterns)),
    path("", include("guichet.mandates.urls")),
    path("", include("guichet.complaints.urls")),
    path("", include("guichet.surveys.urls")),
    path("", include("guichet.referrals.urls")),
    path("rendez-vous/", include((appointment_portal_patterns, "appointments"))),
    path("bureau/rendez-vous/", include((appointment_office_patterns, "appointments_office"))),
    path("bureau/", include(office_patterns)),
    path("bureau/contact/", include("guichet.contact.urls")),
    path("resultats/", include("guichet.reports.urls")),
    path("confidentialite/", include("guichet.privacy.urls")),
    path("administration/", include("guichet.accounts.administration.urls")),
    # Ours first: they keep Django's names (login, password_reset…) with French pages and add
    # sign-up, the second factor and re-authentication.
    path("accounts/", include("guichet.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/accueil/", after_login, name="after_login"),
    # The admin signs in through our log-in page, which asks for the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# An upload over the size limits is refused while it is read; it gets its own page (413).
handler400 = "guichet.dossiers.views.files.bad_request"
