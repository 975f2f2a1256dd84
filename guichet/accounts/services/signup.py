"""Sign-up: the account created inactive, the activation link e-mailed, its check, activation."""

import enum
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import (
    Signup,
    User,
)
from guichet.audit.models import AccountEvent
from guichet.audit.services import access_log_account_event
from guichet.public_url import public_base

SIGNUP_LINK_MAX_AGE = timedelta(hours=48)


_SIGNUP_SALT = "guichet.accounts.signup"


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


def _activation_link(user: User, base: str) -> str:
    path = reverse("accounts:signup_link", kwargs={"token": signup_token(user)})
    return f"{base}{path}"


def user_sign_up(*, full_name: str, email: str, password: str, base_url: str = "") -> None:
    """Create an inactive account and send the activation link, or tell the address's owner.

    Whatever the address, the person who signs up gets the same answer, so that sign-up does not
    reveal who has an account: a new address gets the activation link; the address of an
    account gets a notice that someone tried to sign up with it; the address of a sign-up not yet
    activated gets a new link (the password chosen first is kept: whoever filled the second form
    has not proved that the address is theirs).
    """
    email = User.objects.normalize_email(email.strip()).lower()
    # The links are built on the portal's public address (guichet/public_url.py); the view
    # passes the one of the request when GUICHET_PUBLIC_URL is unset.
    base = (base_url or public_base()).rstrip("/")
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
                    access_log_account_event(
                        event=AccountEvent.SIGNUP, person=created, actor=created
                    )
            except IntegrityError:  # the same address, signed up a moment ago
                existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            access_log_account_event(event=AccountEvent.SIGNUP_EXISTING, person=existing)
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
            {"link": _activation_link(created, base), "hours": "48"},
        )
    elif pending is not None:
        _send(
            "accounts/email/signup_pending.txt",
            email,
            {
                "link": _activation_link(pending, base),
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
    access_log_account_event(
        event=AccountEvent.EMAIL_VERIFIED, person=signup.user, actor=signup.user
    )
    return LinkStatus.VALID


def signup_user(token: str) -> User | None:
    """The account a sign-up link was made for (to sign them in once activated)."""
    _status, signup = signup_link_check(token)
    return signup.user if signup is not None else None
