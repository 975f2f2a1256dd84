"""API tokens for other systems: created and revoked, each change in the access log."""

from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import (
    ApiToken,
    User,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record


def _api_token_log(*, token: ApiToken, actor: User | None, actor_label: str, what: str) -> None:
    access_log_record(
        action=AccessAction.ACCOUNT,
        subject_kind=SubjectKind.PERSON,
        subject_id=token.user_id,
        person=token.user_id,
        actor=actor,
        actor_label=actor_label if actor_label or actor else "système",
        why=f"compte : jeton d'API {what} (jeton n° {token.pk})",
    )


@transaction.atomic
def api_token_create(
    *, name: str, user: User, actor: User | None, actor_label: str = ""
) -> tuple[ApiToken, str]:
    """Create a token for the service account `user`; return it with its secret, which is
    shown to whoever created it and never stored. `actor` is the administrator who asked for
    it (None for a program: say which in `actor_label`)."""
    token = ApiToken(name=name.strip(), user=user)
    secret = token.set_new_secret()
    token.save()
    _api_token_log(token=token, actor=actor, actor_label=actor_label, what="créé")
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None, actor_label: str = "") -> bool:
    """Revoke the token: from the next request on, the API refuses it (401). A token is
    revoked once; returns False (and logs nothing) when it already was."""
    locked = ApiToken.objects.select_for_update().filter(pk=token.pk).first()
    if locked is None or locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    token.revoked_at = locked.revoked_at
    _api_token_log(token=locked, actor=actor, actor_label=actor_label, what="révoqué")
    return True
