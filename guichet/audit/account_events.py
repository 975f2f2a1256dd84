"""Log-in, failed log-in and log-out in the access log, from Django's authentication signals
(connected in apps.py). Every other account event is written by the code that makes it
happen: guichet/accounts/services/ (sign-up, e-mail verified, second factor) and
guichet/accounts/forms.py (password changed or reset).

Audit, not domain behaviour: these receivers change nothing, they only record. A failed
log-in never keeps the password (Django masks it before the signal) nor the typed address:
when it matches an account, the entry points to the account; otherwise it has no person.
"""

from typing import Any

from guichet.accounts.models import User
from guichet.audit.models import AccountEvent
from guichet.audit.services import access_log_account_event


def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User) and user.pk:
        access_log_account_event(event=AccountEvent.LOGIN, person=user, actor=user)


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User) and user.pk:
        access_log_account_event(event=AccountEvent.LOGOUT, person=user, actor=user)


def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **k: Any) -> None:
    typed = str(credentials.get("username") or credentials.get("email") or "").strip()
    account_id = (
        User.objects.filter(email__iexact=typed).values_list("pk", flat=True).first()
        if typed
        else None
    )
    access_log_account_event(
        event=AccountEvent.LOGIN_FAILED, person=account_id, actor_label="personne non identifiée"
    )
