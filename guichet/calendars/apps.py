from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "guichet.calendars"
    verbose_name = _("Calendrier des jours de fermeture")
