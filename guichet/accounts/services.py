"""Every change to an account goes through here: sign-up, activation, the second factor."""

import enum
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from guichet.accounts import totp
from guichet.accounts.models import Signup, TotpDevice, User

SIGNUP_LINK_MAX_AGE = timedelta(hours=48)
_SIGNUP_SALT = "guichet.accounts.signup"


# --- Sign-up -----------------------------------------------------------------------------


def _send(template: str, address: str, context: dict[str, str]) -> None:
    """Send one plain-text e-mail; its first line is the subject."""
    subject, _, body = render_to_string(template, context).partition("\n")
    send_mail(
        subject=subject.strip(),
        message=body.lstrip("\n"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )


def signup_token(user: User) -> str:
    """The signed, timestamped token of the activation link (it holds the account's id only)."""
    return signing.dumps(user.pk, salt=_SIGNUP_SALT)


def _activation_link(user: User) -> str:
    path = reverse("accounts:signup_link", kwargs={"token": signup_token(user)})
    return f"{settings.GUICHET_BASE_URL.rstrip('/')}{path}"


def user_sign_up(*, full_name: str, email: str, password: str) -> None:
    """Create an inactive account and send the activation link, or tell the address's owner.

    Whatever the address, the person who signs up gets the same answer, so that sign-up does not
    reveal who has an account: a new address gets the activation link; the address of an
    account gets a notice that someone tried to sign up with it; the address of a sign-up not yet
    activated gets a new link (the password chosen first is kept: whoever filled the second form
    has not proved that the address is theirs).
    """
    email = User.objects.normalize_email(email.strip()).lower()
    base = settings.GUICHET_BASE_URL.rstrip("/")
    created: User | None = None
    pending: User | None = None
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            try:
                with transaction.atomic():
                    created = User.objects.create_user(
                        email, password, full_name=full_name.strip(), is_active=False
                    )
                    Signup.objects.create(user=created)
            except IntegrityError:  # the same address, signed up a moment ago
                existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            # Hash the password all the same: both answers take about as long.
            make_password(password)
            if (
                not existing.is_active
                and Signup.objects.filter(user=existing, activated_at__isnull=True).exists()
            ):
                pending = existing
    if created is not None:
        _send(
            "accounts/email/signup_activate.txt",
            email,
            {"link": _activation_link(created), "hours": "48"},
        )
    elif pending is not None:
        _send(
            "accounts/email/signup_pending.txt",
            email,
            {
                "link": _activation_link(pending),
                "hours": "48",
                "reset": base + reverse("password_reset"),
            },
        )
    else:
        _send(
            "accounts/email/signup_exists.txt",
            email,
            {"login": base + reverse("login"), "reset": base + reverse("password_reset")},
        )


class LinkStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"


def signup_link_check(token: str) -> tuple[LinkStatus, Signup | None]:
    """What an activation link is worth now, and the sign-up it belongs to."""
    try:
        user_id = signing.loads(token, salt=_SIGNUP_SALT, max_age=SIGNUP_LINK_MAX_AGE)
    except signing.SignatureExpired:
        return LinkStatus.EXPIRED, None
    except signing.BadSignature:
        return LinkStatus.INVALID, None
    signup = Signup.objects.select_related("user").filter(user_id=user_id).first()
    if signup is None:
        return LinkStatus.INVALID, None
    if signup.activated_at is not None:
        return LinkStatus.USED, signup
    return LinkStatus.VALID, signup


@transaction.atomic
def signup_activate(*, token: str) -> LinkStatus:
    """Activate the account of a valid link; the link then never works again."""
    status, signup = signup_link_check(token)
    if status is not LinkStatus.VALID or signup is None:
        return status
    updated = Signup.objects.filter(pk=signup.pk, activated_at__isnull=True).update(
        activated_at=timezone.now()
    )
    if updated != 1:  # opened twice at the same moment: the other request activated it
        return LinkStatus.USED
    User.objects.filter(pk=signup.user_id).update(is_active=True)
    return LinkStatus.VALID


# --- Second factor -----------------------------------------------------------------------


def _now() -> float:
    return time.time()


@transaction.atomic
def totp_device_confirm(*, user: User, secret: str, code: str) -> totp.Check:
    """Enrol (or replace) the person's authenticator application once a first code from it
    is right. The step of that code is used up."""
    result = totp.check(secret, code, _now())
    if result.step is None:
        return result
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": secret,
            "created_at": timezone.now(),
            "confirmed_at": timezone.now(),
            "last_used_step": result.step,
        },
    )
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
def totp_device_remove(*, user: User) -> None:
    """Remove the person's application: log-in asks for the password only again."""
    TotpDevice.objects.filter(user=user).delete()
