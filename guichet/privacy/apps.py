from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "guichet.privacy"
    verbose_name = _("Protection des renseignements personnels")

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.backends.signals import connection_created

        from guichet.privacy import account_events
        from guichet.privacy.db import register_sqlite_functions

        # Infrastructure, not domain behaviour: the embedded SQLite database needs the function
        # its access-log trigger calls on every connection (see db.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="privacy-sqlite")
        # Audit of log-in, failed log-in and log-out: Django tells of them only by signal.
        auth_signals.user_logged_in.connect(account_events.logged_in, dispatch_uid="privacy-in")
        auth_signals.user_logged_out.connect(account_events.logged_out, dispatch_uid="privacy-out")
        auth_signals.user_login_failed.connect(
            account_events.login_failed, dispatch_uid="privacy-failed"
        )
