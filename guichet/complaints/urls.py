from django.urls import path

from guichet.complaints import views

app_name = "complaints"

urlpatterns = [
    path("plaintes/", views.file, name="file"),
    path("plaintes/envoyee/", views.sent, name="sent"),
    path("mes-plaintes/", views.mine, name="mine"),
    path("mes-plaintes/<str:number>/", views.mine_detail, name="mine_detail"),
    path("commissaire/", views.office, name="office"),
    path("commissaire/nouvelle/", views.enter, name="enter"),
    path("commissaire/bilan/", views.year, name="year"),
    path("commissaire/plaintes/<str:number>/", views.office_detail, name="office_detail"),
    path("commissaire/plaintes/<str:number>/lettre/", views.letter, name="letter"),
    path("commissaire/plaintes/<str:number>/dossier/", views.open_dossier, name="dossier"),
    path(
        "commissaire/plaintes/<str:number>/recommandations/<int:pk>/mise-en-oeuvre/",
        views.recommendation_done,
        name="recommendation_done",
    ),
    path("commissaire/plaintes/<str:number>/<slug:action>/", views.act, name="act"),
    path("bureau/recommandations/", views.unit_recommendations, name="unit_recommendations"),
]
