from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    name = "guichet.contact"
    verbose_name = _("Centre de contact")
