from django.urls import path

from guichet.privacy import request_views, views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("politique/", views.policy, name="policy"),
    path("politique/version-<slug:version>/", views.policy, name="policy_version"),
    path("journal/", views.access_log, name="access_log"),
    path("journal/export.csv", views.access_log_export, name="access_log_export"),
    path("journal/recherche/<slug:ref>/", views.access_log_results, name="access_log_results"),
    path(
        "journal/recherche/<slug:ref>/export.csv",
        views.access_log_export,
        name="access_log_results_export",
    ),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/nouveau/", views.incident_new, name="incident_new"),
    path("incidents/export.csv", views.incidents_export, name="incidents_export"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/modifier/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/<slug:move>/", views.incident_move, name="incident_move"),
    path("conservation/", views.legal_holds, name="legal_holds"),
    path("conservation/<int:pk>/lever/", views.legal_hold_lift, name="legal_hold_lift"),
    # Requests for access or rectification: the person's page, the privacy officer's queue.
    path("mes-renseignements/", request_views.my_info, name="my_info"),
    path("mes-renseignements/<int:request_id>/", request_views.my_request, name="my_request"),
    path(
        "mes-renseignements/<int:request_id>/fichiers/<int:file_id>/",
        request_views.my_request_file,
        name="my_request_file",
    ),
    path("demandes/", request_views.queue, name="requests"),
    path("demandes/<int:pk>/", request_views.request_detail, name="request"),
    path("demandes/<int:pk>/prolonger/", request_views.request_extend, name="request_extend"),
    path(
        "demandes/<int:pk>/transmettre/",
        request_views.request_answer_access,
        name="request_answer_access",
    ),
    path("demandes/<int:pk>/rectifier/", request_views.request_rectify, name="request_rectify"),
    path("demandes/<int:pk>/refuser/", request_views.request_refuse, name="request_refuse"),
    path(
        "demandes/<int:pk>/fichiers/<int:file_id>/",
        request_views.request_file,
        name="request_file",
    ),
]
