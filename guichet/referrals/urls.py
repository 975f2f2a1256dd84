from django.urls import path

from guichet.referrals import views

app_name = "referrals"

urlpatterns = [
    path("organismes/", views.directory, name="directory"),
    path("organismes/<slug:code>/", views.partner, name="partner"),
    path("bureau/orientations/nouvelle/", views.refer, name="refer"),
]
