from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guichet.accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.db.backends.signals import connection_created

        from guichet.accounts import throttle
        from guichet.append_only import register_sqlite_functions

        # Infrastructure, not domain behaviour: on the embedded SQLite database, the triggers
        # that keep every append-only history call a function each connection must have
        # (guichet/append_only.py). Accounts is the lowest app, so it is ready first.
        connection_created.connect(register_sqlite_functions, dispatch_uid="append-only-sqlite")
        # Every failed log-in counts towards its network's throttle (throttle.py says why a
        # receiver: authenticate() reports failures only through this signal).
        user_login_failed.connect(throttle.login_failed, dispatch_uid="accounts-throttle")
