from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "guichet.privacy"
    verbose_name = _("Protection des renseignements personnels")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from guichet.privacy.db import register_sqlite_functions

        # Infrastructure, not domain behaviour: the embedded SQLite database needs the function
        # its access-log trigger calls on every connection (see db.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="privacy-sqlite")
