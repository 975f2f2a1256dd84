"""Linking a dossier filed on paper to the client's account: a code sent to the address on
file, then confirmed."""

import enum
import hmac
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from guichet.accounts.models import User
from guichet.dossiers.models import (
    Dossier,
    EventKind,
    LinkCode,
)
from guichet.dossiers.services.base import _event, _lock, _save

LINK_CODE_MINUTES = 15


LINK_MAX_ATTEMPTS = 5


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"


_LINK_CODE_SALT = "guichet.dossiers.link_code"


def _code_hash(code: str, link_id: str) -> str:
    """Keyed with SECRET_KEY (as the staff enrolment codes): a copy of the table alone does
    not give the code back, though six digits are few enough to try them all."""
    return salted_hmac(_LINK_CODE_SALT, f"{link_id}:{code.strip()}", algorithm="sha256").hexdigest()


@transaction.atomic
def dossier_link_start(*, user: User, number: str, birth_date: date) -> None:
    """Send a one-time code to the address on file when the number and the date of birth
    match a dossier that has no online account yet. Whatever happens, the caller shows the
    same neutral answer: nothing tells whether a dossier exists."""
    dossier = (
        Dossier.objects.select_for_update()
        .filter(number=number.strip(), client__isnull=True)
        .first()
    )
    if dossier is None or dossier.birth_date != birth_date or not dossier.applicant_email:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    LinkCode.objects.filter(dossier=dossier, user=user, used_at__isnull=True).update(
        attempts=LINK_MAX_ATTEMPTS
    )
    link = LinkCode.objects.create(
        dossier=dossier,
        user=user,
        code_hash="",
        expires_at=timezone.now() + timedelta(minutes=LINK_CODE_MINUTES),
    )
    link.code_hash = _code_hash(code, str(link.pk))
    link.save(update_fields=["code_hash"])
    address = dossier.applicant_email
    transaction.on_commit(
        lambda: send_mail(
            subject="Votre code pour lier un dossier à votre compte Guichet",
            message=(
                f"Bonjour,\n\nVoici votre code : {code}\nIl est valable {LINK_CODE_MINUTES} "
                "minutes. Si vous n'avez rien demandé, ignorez ce courriel : rien ne sera lié.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )


def dossier_link_confirm(*, user: User, number: str, code: str) -> LinkOutcome:
    """Link the dossier to `user` when the code is right, fresh and not used; count every
    wrong try (five end the code)."""
    with transaction.atomic():
        link = (
            LinkCode.objects.select_for_update()
            .filter(dossier__number=number.strip(), user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if link is None or link.expires_at < timezone.now() or link.attempts >= LINK_MAX_ATTEMPTS:
            return LinkOutcome.EXPIRED
        if not hmac.compare_digest(_code_hash(code, str(link.pk)), link.code_hash):
            link.attempts += 1
            link.save(update_fields=["attempts"])
            return LinkOutcome.WRONG_CODE
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        dossier = _lock(link.dossier, None)
        dossier.client = user
        _event(dossier, EventKind.ACCOUNT_LINKED, user)
        _save(dossier, "client")
    return LinkOutcome.LINKED
