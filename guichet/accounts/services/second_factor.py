"""The second factor: an authenticator confirmed, checked (no replay, throttled) and removed,
and the code e-mailed to staff to prove their mailbox before their first authenticator."""

import enum
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from guichet.accounts import mfa, totp
from guichet.accounts.models import (
    EnrolmentCode,
    TotpDevice,
    User,
)
from guichet.accounts.services.signup import _send
from guichet.audit.models import AccountEvent
from guichet.audit.services import access_log_account_event


def _now() -> float:
    return time.time()


@transaction.atomic
def totp_device_confirm(
    *, user: User, secret: str, code: str, mailbox_proof: int | None = None
) -> totp.Check:
    """Enrol (or replace) the person's authenticator application once a first code from it
    is right. The step of that code is used up.

    Staff enrolling their first application must have typed the code e-mailed to the account
    (`enrolment_code_check`): `mailbox_proof` is the id it returned, which the session keeps.
    Without it, the enrolment is refused (PermissionDenied): the page never offers it."""
    if mfa.enrolment_needs_mailbox_proof(user) and not enrolment_mailbox_proved(
        user=user, proof=mailbox_proof
    ):
        raise PermissionDenied("enrolment without the e-mailed code")
    result = totp.check(secret, code, _now())
    if result.step is None:
        return result
    EnrolmentCode.objects.filter(user=user).delete()  # its work is done
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": secret,
            "created_at": timezone.now(),
            "confirmed_at": timezone.now(),
            "last_used_step": result.step,
        },
    )
    access_log_account_event(event=AccountEvent.SECOND_FACTOR_ENROLLED, person=user, actor=user)
    return result


@transaction.atomic
def totp_device_verify(*, user: User, code: str) -> totp.Check:
    """Check a code from the person's confirmed application and use up its step.

    The step is recorded with a conditional update, so that two requests carrying the same code
    at the same moment cannot both succeed."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return totp.Check(None)
    result = totp.check(device.secret, code, _now(), device.last_used_step)
    if result.step is None:
        return result
    fresh = TotpDevice.objects.filter(
        Q(last_used_step__isnull=True) | Q(last_used_step__lt=result.step), pk=device.pk
    )
    if fresh.update(last_used_step=result.step) != 1:
        return totp.Check(None, reused=True)
    return result


@transaction.atomic
def totp_device_remove(*, user: User, actor: User) -> bool:
    """Remove the person's application: log-in asks for the password only again. `actor` is
    the person themselves (the security page) or the administrator who removed it for someone
    who lost it (the admin); the access log says who. Returns whether there was one."""
    removed = bool(TotpDevice.objects.filter(user=user).delete()[0])
    if removed:
        access_log_account_event(event=AccountEvent.SECOND_FACTOR_REMOVED, person=user, actor=actor)
    return removed


# How long a typed code allows the enrolment in the session that typed it (a session without
# activity ends after 30 minutes anyway).
ENROLMENT_PROOF_MAX_AGE = timedelta(minutes=30)


_ENROLMENT_CODE_SALT = "guichet.accounts.enrolment_code"


def _enrolment_code_hash(user: User, code: str) -> str:
    """Keyed with SECRET_KEY: a copy of the table alone does not give the code back, even
    though eight digits are few enough to try them all."""
    return salted_hmac(_ENROLMENT_CODE_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class EnrolmentCodeSent:
    """`sent` is False when a code was sent less than a minute ago; `wait` is the number of
    seconds before another may be asked for."""

    sent: bool
    wait: int


def enrolment_code_send(*, user: User) -> EnrolmentCodeSent:
    """E-mail a new one-time code to the account's address; it replaces any earlier one.

    Refused (nothing sent) within a minute of the last one, so that the page cannot be used
    to flood a mailbox or to get fresh tries faster. Only for staff who have no application
    yet: anyone else gets PermissionDenied (the page is not theirs)."""
    if not mfa.enrolment_needs_mailbox_proof(user):
        raise PermissionDenied("no e-mailed code is needed")
    now = timezone.now()
    code = f"{secrets.randbelow(10**EnrolmentCode.DIGITS):0{EnrolmentCode.DIGITS}d}"
    with transaction.atomic():
        current = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if current is not None and now < current.sent_at + EnrolmentCode.RESEND_WAIT:
            left = current.sent_at + EnrolmentCode.RESEND_WAIT - now
            return EnrolmentCodeSent(sent=False, wait=math.ceil(left.total_seconds()))
        if current is not None:
            # A new row, not an update: the proof a session keeps is the row's id, and one
            # kept from an earlier code must not come back to life with this one.
            current.delete()
        try:
            with transaction.atomic():
                EnrolmentCode.objects.create(
                    user=user,
                    code_hash=_enrolment_code_hash(user, code),
                    sent_at=now,
                    expires_at=now + EnrolmentCode.VALIDITY,
                )
        except IntegrityError:  # asked twice at the same moment: the other request sent one
            wait = int(EnrolmentCode.RESEND_WAIT.total_seconds())
            return EnrolmentCodeSent(sent=False, wait=wait)
        access_log_account_event(event=AccountEvent.ENROLMENT_CODE_SENT, person=user, actor=user)
    _send(
        "enrolment/email_code.txt",
        user.email,
        {"code": code, "minutes": str(int(EnrolmentCode.VALIDITY.total_seconds() // 60))},
    )
    return EnrolmentCodeSent(sent=True, wait=int(EnrolmentCode.RESEND_WAIT.total_seconds()))


class EnrolmentCodeOutcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # tries are left
    TOO_MANY = "too_many"  # this wrong code was the last try, or the tries were used up
    EXPIRED = "expired"
    USED = "used"
    NONE = "none"  # no code was asked for


@dataclass(frozen=True)
class EnrolmentCodeCheck:
    outcome: EnrolmentCodeOutcome
    remaining: int = 0  # tries left after a wrong code
    proof: int | None = None  # the accepted code, for the session to keep


def enrolment_code_check(*, user: User, code: str) -> EnrolmentCodeCheck:
    """Check the code the person typed against the one e-mailed to them.

    Right, fresh (15 minutes), unused and with tries left: it is used up and its id returned
    as the proof `totp_device_confirm` asks for. A wrong code uses one of five tries; the
    fifth ends the code (a new one must be asked for). Every outcome goes to the access log."""
    remaining, proof = 0, None
    event = AccountEvent.ENROLMENT_CODE_REFUSED
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        now = timezone.now()
        if row is None:
            outcome = EnrolmentCodeOutcome.NONE
        elif row.used_at is not None:
            outcome = EnrolmentCodeOutcome.USED
        elif row.attempts >= EnrolmentCode.MAX_ATTEMPTS:
            outcome = EnrolmentCodeOutcome.TOO_MANY
        elif now >= row.expires_at:
            outcome = EnrolmentCodeOutcome.EXPIRED
        elif hmac.compare_digest(_enrolment_code_hash(user, code.strip()), row.code_hash):
            row.used_at = now
            row.save(update_fields=["used_at"])
            outcome, proof = EnrolmentCodeOutcome.ACCEPTED, row.pk
            event = AccountEvent.ENROLMENT_CODE_ACCEPTED
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            remaining = EnrolmentCode.MAX_ATTEMPTS - row.attempts
            outcome = EnrolmentCodeOutcome.WRONG
            if not remaining:  # this try used the code up
                outcome = EnrolmentCodeOutcome.TOO_MANY
                event = AccountEvent.ENROLMENT_CODE_BLOCKED
        access_log_account_event(event=event, person=user, actor=user)
    return EnrolmentCodeCheck(outcome=outcome, remaining=remaining, proof=proof)


def enrolment_mailbox_proved(*, user: User, proof: int | None) -> bool:
    """Whether `proof` (kept by the session that typed it) is a code of `user`, typed right
    less than 30 minutes ago."""
    if proof is None:
        return False
    return EnrolmentCode.objects.filter(
        pk=proof, user=user, used_at__gte=timezone.now() - ENROLMENT_PROOF_MAX_AGE
    ).exists()
