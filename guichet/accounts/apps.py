from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guichet.accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        import guichet.public_url  # noqa: F401  (registers the check of GUICHET_PUBLIC_URL)
        from guichet.accounts import throttle

        # Every failed log-in counts towards its network's throttle (throttle.py says why a
        # receiver: authenticate() reports failures only through this signal).
        user_login_failed.connect(throttle.login_failed, dispatch_uid="accounts-throttle")
