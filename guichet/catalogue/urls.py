from django.urls import path

from guichet.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
]
