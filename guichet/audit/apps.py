from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "guichet.audit"
    verbose_name = _("Journal des accès")

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.backends.signals import connection_created

        from guichet import append_only
        from guichet.audit import account_events, db

        # Infrastructure, not domain behaviour: on the embedded SQLite database, the triggers
        # that keep the access log and every other append-only history call functions each
        # connection must have (guichet/append_only.py, db.py).
        connection_created.connect(
            append_only.register_sqlite_functions, dispatch_uid="append-only-sqlite"
        )
        connection_created.connect(db.register_sqlite_functions, dispatch_uid="audit-sqlite")
        # Audit of log-in, failed log-in and log-out: Django tells of them only by signal.
        auth_signals.user_logged_in.connect(account_events.logged_in, dispatch_uid="audit-in")
        auth_signals.user_logged_out.connect(account_events.logged_out, dispatch_uid="audit-out")
        auth_signals.user_login_failed.connect(
            account_events.login_failed, dispatch_uid="audit-failed"
        )
