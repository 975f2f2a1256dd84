"""Reads of the Administration area: staff, their roles and units, the services units own and
the history of changes. Each getter takes the person asking and answers 404 unless they are an
administrator, so that a view cannot reach an account without the check."""

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.mfa import has_confirmed_device
from guichet.accounts.models import (
    AccessChange,
    ApiToken,
    EnrolmentCode,
    GlobalRole,
    Membership,
    RoleGrant,
    StaffRole,
    TotpDevice,
    Unit,
    UnitService,
    User,
    has_role,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.catalogue.models import Service
from guichet.catalogue.services import declaration_in_force
from guichet.rows import from_row

# The unit roles that see the results of their units (guichet/reports/).
RESULT_ROLES = (StaffRole.SUPERVISOR,)


def supervised_units(user: object) -> QuerySet[Unit]:
    """The units whose results `user` sees (none for anyone else)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user, memberships__role__in=RESULT_ROLES).order_by(
        "name"
    )


def is_administrator(user: object) -> bool:
    return has_role(user, GlobalRole.ADMINISTRATOR)


def _require_administrator(user: object) -> None:
    if not is_administrator(user):
        raise Http404("Page introuvable")


def staff_list(viewer: User) -> QuerySet[User]:
    """Everyone who holds a unit membership or a global role, with both, by name."""
    _require_administrator(viewer)
    return (
        User.objects.filter(
            Q(Exists(Membership.objects.filter(user=OuterRef("pk"))))
            | Q(Exists(RoleGrant.objects.filter(user=OuterRef("pk"))))
        )
        .prefetch_related(
            Prefetch("memberships", Membership.objects.select_related("unit").order_by("unit")),
            Prefetch("role_grants", RoleGrant.objects.order_by("role")),
            # Whether the application is confirmed; its secret stays encrypted.
            Prefetch("totp_device", TotpDevice.objects.defer("secret")),
        )
        .order_by("full_name", "email")
    )


def person_get(viewer: User, pk: int, *, why: str | None) -> User:
    """Any account, staff or client: an administrator gives roles to people not yet staff.

    Showing the account is a read of personal information, recorded in the access log with
    `why`; a caller about to record a change of its own (which is logged) passes None."""
    _require_administrator(viewer)
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("Personne introuvable")
    if why is not None:
        access_log_record(
            action=AccessAction.READ,
            subject_kind=SubjectKind.PERSON,
            subject_id=person.pk,
            person=person,
            actor=viewer,
            why=why,
        )
    return person


def person_find_by_email(viewer: User, email: str) -> User | None:
    _require_administrator(viewer)
    return User.objects.filter(email__iexact=email.strip()).first()


def membership_get(viewer: User, pk: int) -> Membership:
    _require_administrator(viewer)
    membership = Membership.objects.select_related("user", "unit").filter(pk=pk).first()
    if membership is None:
        raise Http404("Affectation introuvable")
    return membership


def role_grant_get(viewer: User, pk: int) -> RoleGrant:
    _require_administrator(viewer)
    grant = RoleGrant.objects.select_related("user", "granted_by").filter(pk=pk).first()
    if grant is None:
        raise Http404("Rôle introuvable")
    return grant


def unit_service_get(viewer: User, service_code: str) -> UnitService:
    _require_administrator(viewer)
    owned = UnitService.objects.select_related("unit").filter(service_code=service_code).first()
    if owned is None:
        raise Http404("Service introuvable")
    return owned


@dataclass(frozen=True)
class StaffWarnings:
    """What an administrator must know before giving someone a staff role."""

    # No authenticator application yet: the person will have to enrol one at their next
    # request, before any other page (when staff MFA is required, as in production).
    must_enrol: bool
    # Dossiers filed under this account as a client: a conflict of interest to acknowledge.
    client_dossiers: int


def staff_warnings(person: User) -> StaffWarnings:
    return StaffWarnings(
        must_enrol=settings.GUICHET_STAFF_MFA_REQUIRED and not has_confirmed_device(person),
        client_dossiers=person.dossiers.count(),
    )


def person_memberships(viewer: User, person: User) -> QuerySet[Membership]:
    _require_administrator(viewer)
    return Membership.objects.filter(user=person).select_related("unit").order_by("unit__name")


def person_role_grants(viewer: User, person: User) -> QuerySet[RoleGrant]:
    _require_administrator(viewer)
    return RoleGrant.objects.filter(user=person).select_related("granted_by").order_by("role")


def access_changes(viewer: User, *, person: User | None = None) -> QuerySet[AccessChange]:
    """The history, newest first: everyone's, or one person's."""
    _require_administrator(viewer)
    changes = AccessChange.objects.select_related("actor", "user", "unit")
    if person is not None:
        changes = changes.filter(user=person)
    return changes.order_by("-id")


def units(viewer: User) -> QuerySet[Unit]:
    _require_administrator(viewer)
    return Unit.objects.prefetch_related(
        Prefetch("services", UnitService.objects.order_by("service_code")),
        Prefetch("memberships", Membership.objects.select_related("user")),
    ).order_by("name")


def current_services(viewer: User, *, on: date) -> list[Service]:
    """The services of the declaration in force, in its order (none when none is loaded)."""
    _require_administrator(viewer)
    declaration = declaration_in_force(on=on)
    if declaration is None:
        return []
    return list(declaration.services.order_by("group__position", "position"))


def enrolment_code_pending(user: User) -> EnrolmentCode | None:
    """The code e-mailed to `user` (for their first authenticator application) that may still
    be typed now, if any."""
    code = EnrolmentCode.objects.filter(user=user).first()
    return code if code is not None and code.can_be_typed(timezone.now()) else None


# --- API tokens ---------------------------------------------------------------------------------

# A secret from `api_token_create` is 43 characters; anything much longer is not one of ours.
MAX_SECRET_LENGTH = 200
# When a token was last used is kept to the minute, not written on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The token of a bearer secret, if it is not revoked and its service account is active
    (the API's authentication, guichet/api.py). Records when it was last used, to the minute."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    now = timezone.now()
    # Every call of every system goes through here: one plain statement, its text built
    # once, instead of the ORM compiling the same query on each call (ADR 0004).
    with connection.cursor() as cursor:
        cursor.execute(
            _token_query(),
            [
                connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION),
                ApiToken.hash_secret(secret),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, name, user_id, stale = row
    # Recorded to the minute, not on every call: one write per call would make every
    # request of a system queue on the same row.
    if stale:
        ApiToken.objects.filter(pk=pk).update(last_used_at=now)
    # The other fields (and the service account) are read if a view asks for them.
    return from_row(ApiToken, ["id", "name", "user_id"], [pk, name, user_id])


@functools.cache
def _token_query() -> str:
    """The token of a secret, if not revoked and its service account is active, and whether
    its last use was recorded more than LAST_USED_PRECISION ago."""
    q = connection.ops.quote_name
    tokens, users = q(ApiToken._meta.db_table), q(User._meta.db_table)
    return (
        "SELECT t.id, t.name, t.user_id, (t.last_used_at IS NULL OR t.last_used_at < %s)"  # noqa: S608 (names from the models)
        f" FROM {tokens} t JOIN {users} u ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )
