"""Reads of the Administration area: staff, their roles and units, the services units own and
the history of changes. Each getter takes the person asking and answers 404 unless they are an
administrator, so that a view cannot reach an account without the check."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guichet.accounts.mfa import has_confirmed_device
from guichet.accounts.models import (
    AccessChange,
    EnrolmentCode,
    GlobalRole,
    Membership,
    RoleGrant,
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
