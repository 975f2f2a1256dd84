"""The second factor in the session: who is half-way through logging in, and whether this
session proved the second factor.

A person whose account has a confirmed authenticator application is not logged in after the
password: the session only remembers them as *pending* until the code is given at
/accounts/verification/. Staff (unit members, global roles, Django staff and superusers) must
have an application: until they enrol one, `SecondFactorMiddleware` lets them reach nothing but
the enrolment pages and log-out. Before the secret of their first application is shown, they
prove that they read the account's mailbox with a code e-mailed to it (`MAILBOX_PROOF_KEY`
remembers, for this session only, which code they typed).
"""

import enum
import time
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from guichet.accounts.models import TotpDevice, User, arrival_of, is_staff_request_user

VERIFIED_KEY = "guichet_second_factor_verified"
PENDING_KEY = "guichet_pending_login"
PENDING_MAX_AGE = 5 * 60  # seconds to type the code after the password
MAX_CODE_FAILURES = 5
MAILBOX_PROOF_KEY = "guichet_enrolment_mailbox"


class SecondFactor(enum.Enum):
    NOT_REQUIRED = "not_required"  # a client without an application
    ENROL = "enrol"  # staff without an application: must enrol one
    VERIFY = "verify"  # has an application: the session must prove it


def has_confirmed_device(user: object) -> bool:
    return (
        isinstance(user, User)
        and TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    )


def second_factor_mandatory(user: object) -> bool:
    """Staff must use a second factor: unit members, global roles, Django staff, superusers."""
    if not isinstance(user, User):
        return False
    return user.is_staff or user.is_superuser or is_staff_request_user(user)


def enrolment_needs_mailbox_proof(user: object) -> bool:
    """Staff enrolling their first application must first type a code e-mailed to the account:
    the password alone must not be enough to tie an application to a staff account. Replacing
    an application needs none (the session proved the current one)."""
    return second_factor_mandatory(user) and not has_confirmed_device(user)


def second_factor_state(user: AbstractBaseUser | AnonymousUser) -> SecondFactor:
    if has_confirmed_device(user):
        return SecondFactor.VERIFY
    return _without_device(user)


def second_factor_state_on_arrival(user: AbstractBaseUser | AnonymousUser) -> SecondFactor:
    """`second_factor_state` as the request arrived, for the middleware: the device is known
    from the account's own read when the backend read it (`arrival_of`)."""
    arrival = arrival_of(user)
    if arrival is None:
        return second_factor_state(user)
    if arrival.confirmed_device:
        return SecondFactor.VERIFY
    return _without_device(user)


def _without_device(user: AbstractBaseUser | AnonymousUser) -> SecondFactor:
    if second_factor_mandatory(user):
        return SecondFactor.ENROL
    return SecondFactor.NOT_REQUIRED


def session_mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_KEY] = True


def session_clear_verified(request: HttpRequest) -> None:
    request.session.pop(VERIFIED_KEY, None)


def session_is_verified(request: HttpRequest) -> bool:
    return request.session.get(VERIFIED_KEY) is True


@dataclass(frozen=True)
class PendingLogin:
    user: User
    backend: str
    next_url: str
    failures: int


def pending_login_start(request: HttpRequest, user: User, backend: str, next_url: str) -> None:
    """Remember that `user` gave the right password; they still owe the code."""
    request.session.cycle_key()  # a new session key for a new step of authentication
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "started": int(time.time()),
        "failures": 0,
    }


def pending_login_get(request: HttpRequest) -> PendingLogin | None:
    """The pending log-in of this session, or None (dropped when older than 5 minutes)."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    age = time.time() - int(data.get("started", 0))
    if not 0 <= age < PENDING_MAX_AGE:
        pending_login_drop(request)
        return None
    user = User.objects.filter(pk=int(data.get("user", 0)), is_active=True).first()
    if user is None:
        pending_login_drop(request)
        return None
    return PendingLogin(user, str(data["backend"]), str(data["next"]), int(data["failures"]))


def pending_login_fail(request: HttpRequest) -> int:
    """Count one wrong code; return how many there have been (the caller drops at 5)."""
    data = dict(request.session[PENDING_KEY])
    data["failures"] = int(data["failures"]) + 1
    request.session[PENDING_KEY] = data
    return int(data["failures"])


def pending_login_drop(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def mailbox_proof_set(request: HttpRequest, user: User, code_id: int) -> None:
    """Remember that this session typed the e-mailed code `code_id` for `user`."""
    request.session[MAILBOX_PROOF_KEY] = {"user": user.pk, "code": code_id}


def mailbox_proof_get(request: HttpRequest, user: User) -> int | None:
    """The e-mailed code this session typed for `user`, if any (the service checks that it
    is still good)."""
    data = request.session.get(MAILBOX_PROOF_KEY)
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    code = data.get("code")
    return code if isinstance(code, int) else None


def mailbox_proof_drop(request: HttpRequest) -> None:
    request.session.pop(MAILBOX_PROOF_KEY, None)
