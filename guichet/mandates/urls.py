from django.urls import path

from guichet.mandates import views

app_name = "mandates"

urlpatterns = [
    path("mandats/", views.held, name="held"),
    path("dossiers/<str:number>/mandats/nouveau/", views.grant, name="grant"),
    path("dossiers/<str:number>/mandats/<int:pk>/revoquer/", views.revoke, name="revoke"),
]
