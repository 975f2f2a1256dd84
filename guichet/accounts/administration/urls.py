"""/administration/: administrators only (see views.py)."""

from django.urls import path

from guichet.accounts.administration import views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("personnes/<int:person_id>/", views.person, name="person"),
    path(
        "personnes/<int:person_id>/affectations/",
        views.membership_grant,
        name="membership_grant",
    ),
    path("personnes/<int:person_id>/roles/", views.role_grant, name="role_grant"),
    path(
        "affectations/<int:membership_id>/fin/", views.membership_revoke, name="membership_revoke"
    ),
    path("roles/<int:grant_id>/retrait/", views.role_revoke, name="role_revoke"),
    path("unites/", views.units, name="units"),
    path("unites/nouvelle/", views.unit_create, name="unit_create"),
    path("unites/services/", views.service_assign, name="service_assign"),
    path("unites/services/<slug:code>/retrait/", views.service_release, name="service_release"),
    path("historique/", views.history, name="history"),
]
