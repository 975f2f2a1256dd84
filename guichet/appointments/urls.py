from django.urls import path

from guichet.appointments import views

portal_patterns = [
    path("", views.index, name="index"),
    path("demander/", views.ask, name="ask"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/creneaux/", views.slots, name="slots"),
    path("<int:pk>/creneaux/<int:slot>/", views.confirm, name="confirm"),
    path("<int:pk>/creneaux/<int:slot>/attente/", views.wait, name="wait"),
    path("<int:pk>/reporter/", views.postpone, name="postpone"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("<int:pk>/invitation.ics", views.ics, name="ics"),
]

office_patterns = [
    path("", views.office_list, name="offices"),
    path("<slug:code>/", views.office_day, name="day"),
    path("<slug:code>/reservations/<int:pk>/<str:step>/", views.office_step, name="step"),
    path("<slug:code>/sans-rendez-vous/", views.office_walk_in, name="walk_in"),
    path("<slug:code>/demandes/", views.office_worklist, name="worklist"),
    path("<slug:code>/capacite/", views.office_capacity, name="capacity"),
]
