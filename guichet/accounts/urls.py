"""The account pages, mounted under accounts/ before django.contrib.auth.urls.

The first patterns keep Django's names (`login`, `password_reset`, `password_reset_confirm`…)
with our forms, French templates and e-mails; the others live in the `accounts` namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from guichet.accounts import enrolment_views, language_views, views
from guichet.accounts.forms import ChangePasswordForm, NewPasswordForm

account_patterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/courriel-envoye/", views.signup_sent, name="signup_sent"),
    path("activer/<str:token>/", views.signup_link, name="signup_link"),
    path("activation/", views.signup_activate, name="signup_activate"),
    path("verification/", views.verify, name="verify"),
    path("securite/", views.security, name="security"),
    path("double-authentification/", views.enrol, name="enrol"),
    path(
        "double-authentification/courriel/",
        enrolment_views.enrol_mailbox,
        name="enrol_mailbox",
    ),
    path("double-authentification/retirer/", views.remove_device, name="remove_device"),
    path("confirmer/", views.reauth, name="reauth"),
    path("langue/", language_views.language_of_service, name="language"),
    path("langue/fin/", language_views.language_of_service_end, name="language_end"),
    path("langue/affichage/", language_views.set_language, name="set_language"),
]

urlpatterns = [
    path("login/", views.GuichetLoginView.as_view(), name="login"),
    path(
        "password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(
            form_class=ChangePasswordForm, success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path("", include((account_patterns, "accounts"))),
]
