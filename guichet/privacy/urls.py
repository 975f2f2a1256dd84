from django.urls import path

from guichet.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("politique/", views.policy, name="policy"),
    path("politique/version-<slug:version>/", views.policy, name="policy_version"),
    path("journal/", views.access_log, name="access_log"),
    path("journal/export.csv", views.access_log_export, name="access_log_export"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/nouveau/", views.incident_new, name="incident_new"),
    path("incidents/export.csv", views.incidents_export, name="incidents_export"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/modifier/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/<slug:move>/", views.incident_move, name="incident_move"),
    path("conservation/", views.legal_holds, name="legal_holds"),
    path("conservation/<int:pk>/lever/", views.legal_hold_lift, name="legal_hold_lift"),
]
