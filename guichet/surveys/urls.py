from django.urls import path

from guichet.surveys import views

app_name = "surveys"

urlpatterns = [
    path("sondage/merci/", views.thanks, name="thanks"),
    path("sondage/mon-accord/", views.consent, name="consent"),
    path("sondage/<str:token>/", views.answer, name="answer"),
]
