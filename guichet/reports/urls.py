from django.urls import path

from guichet.reports import telephony, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("dossiers/", views.dossiers_view, name="dossiers"),
    path("telephonie/", telephony.telephony_view, name="telephony"),
    path("rapport-annuel/", views.annual_view, name="annual"),
    path(
        "rapport-annuel/<str:fiscal_year>.<str:fmt>",
        views.annual_file_view,
        name="annual_file",
    ),
]
