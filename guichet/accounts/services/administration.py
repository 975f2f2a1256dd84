"""The Administration area: roles and memberships granted and revoked with a reason, units
and the services they own, each change recorded."""

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guichet.accounts.models import (
    AccessChange,
    AccessChangeKind,
    GlobalRole,
    Membership,
    RoleGrant,
    StaffRole,
    Unit,
    UnitService,
    User,
    has_role,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.catalogue.services import declaration_in_force


class AdministrationError(Exception):
    """The change is refused; the message says why, in French, and nothing changed."""


REASON_MAX_LENGTH = 500


def _require_administrator(actor: User) -> None:
    if not has_role(actor, GlobalRole.ADMINISTRATOR):
        raise AdministrationError(_("Seul un administrateur peut modifier les droits d'accès."))


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise AdministrationError(_("Indiquez le motif du changement."))
    if len(reason) > REASON_MAX_LENGTH:
        raise AdministrationError(
            _("Le motif ne doit pas dépasser %(max)d caractères.") % {"max": REASON_MAX_LENGTH}
        )
    return reason


def _record_change(
    *,
    actor: User,
    kind: AccessChangeKind,
    reason: str,
    user: User | None = None,
    role: str = "",
    unit: Unit | None = None,
    service_code: str = "",
    conflict_acknowledged: bool = False,
) -> AccessChange:
    change = AccessChange.objects.create(
        actor=actor,
        kind=kind,
        user=user,
        role=role,
        unit=unit,
        service_code=service_code,
        reason=reason,
        conflict_acknowledged=conflict_acknowledged,
    )
    if user is not None:
        with translation.override("fr"):  # the log is kept in French, whoever reads it
            what = ", ".join(
                part
                for part in (
                    str(AccessChangeKind(kind).label),
                    str(change.get_role_display()) if role else "",
                    f"unité {unit.code}" if unit is not None else "",
                )
                if part
            )
        access_log_record(
            action=AccessAction.CHANGE,
            subject_kind=SubjectKind.PERSON,
            subject_id=user.pk,
            person=user,
            actor=actor,
            why=f"administration des droits d'accès : {what} (historique n° {change.pk})",
        )
    return change


def _check_new_staff_role(*, actor: User, user: User, acknowledge_conflict: bool) -> bool:
    """The rules for giving anyone a staff role; returns whether a conflict of interest was
    acknowledged (the person has dossiers as a client)."""
    if user.pk == actor.pk:
        raise AdministrationError(
            _(
                "Vous ne pouvez pas vous attribuer un rôle vous-même : demandez-le à un autre "
                "administrateur."
            )
        )
    if not user.is_active:
        raise AdministrationError(_("Ce compte n'est pas actif : il ne peut pas recevoir de rôle."))
    dossiers = user.dossiers.count()
    if dossiers and not acknowledge_conflict:
        raise AdministrationError(
            ngettext(
                "Cette personne a %(count)d dossier à son nom comme cliente. Confirmez que vous "
                "en tenez compte : elle ne pourra ni le voir ni y travailler au bureau.",
                "Cette personne a %(count)d dossiers à son nom comme cliente. Confirmez que "
                "vous en tenez compte : elle ne pourra ni les voir ni y travailler au bureau.",
                dossiers,
            )
            % {"count": dossiers}
        )
    return bool(dossiers)


@transaction.atomic
def membership_grant(
    *,
    actor: User,
    user: User,
    unit: Unit,
    role: StaffRole,
    reason: str,
    acknowledge_conflict: bool = False,
) -> Membership:
    """Make `user` an agent or a supervisor of `unit`. A person holds one role per unit: an
    agent made supervisor of the same unit keeps one membership, and the history shows the
    end of the first role and the start of the second."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    conflict = _check_new_staff_role(
        actor=actor, user=user, acknowledge_conflict=acknowledge_conflict
    )
    role = StaffRole(role)
    membership = Membership.objects.select_for_update().filter(user=user, unit=unit).first()
    if membership is not None and membership.role == role:
        raise AdministrationError(
            _("Cette personne est déjà %(role)s de l'unité « %(unit)s ».")
            % {"role": role.label.lower(), "unit": unit.name}
        )
    if membership is not None:
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _record_change(
            actor=actor,
            kind=AccessChangeKind.MEMBERSHIP_REVOKED,
            reason=reason,
            user=user,
            role=previous,
            unit=unit,
        )
    else:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=user, unit=unit, role=role)
        except IntegrityError:  # given at the same moment by another administrator
            raise AdministrationError(
                _("Cette personne vient d'être affectée à cette unité ; rechargez la page.")
            ) from None
    _record_change(
        actor=actor,
        kind=AccessChangeKind.MEMBERSHIP_GRANTED,
        reason=reason,
        user=user,
        role=role,
        unit=unit,
        conflict_acknowledged=conflict,
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership, reason: str) -> None:
    """End a person's role in a unit: from the next page on, they no longer see its dossiers."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        raise AdministrationError(_("Cette affectation a déjà pris fin."))
    current.delete()
    _record_change(
        actor=actor,
        kind=AccessChangeKind.MEMBERSHIP_REVOKED,
        reason=reason,
        user=membership.user,
        role=current.role,
        unit=membership.unit,
    )


@transaction.atomic
def role_grant(
    *,
    actor: User,
    user: User,
    role: GlobalRole,
    reason: str,
    acknowledge_conflict: bool = False,
) -> RoleGrant:
    """Give `user` a global role: Commissaire aux plaintes, privacy officer or administrator."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    conflict = _check_new_staff_role(
        actor=actor, user=user, acknowledge_conflict=acknowledge_conflict
    )
    role = GlobalRole(role)
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(user=user, role=role, granted_by=actor)
    except IntegrityError:
        raise AdministrationError(
            _("Cette personne a déjà le rôle « %(role)s ».") % {"role": role.label}
        ) from None
    _record_change(
        actor=actor,
        kind=AccessChangeKind.ROLE_GRANTED,
        reason=reason,
        user=user,
        role=role,
        conflict_acknowledged=conflict,
    )
    return grant


@transaction.atomic
def role_grant_revoke(*, actor: User, grant: RoleGrant, reason: str) -> None:
    """Take a global role back. The last active administrator keeps theirs: someone must
    always be able to give roles."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    if grant.role == GlobalRole.ADMINISTRATOR:
        # Lock every administrator's grant: two administrators removing each other at the
        # same moment must not both succeed.
        administrators = list(
            RoleGrant.objects.select_for_update(of=("self",)).filter(
                role=GlobalRole.ADMINISTRATOR, user__is_active=True
            )
        )
        if not any(other.pk != grant.pk for other in administrators):
            raise AdministrationError(
                _(
                    "C'est le dernier administrateur : attribuez d'abord ce rôle à une autre "
                    "personne."
                )
            )
    current = RoleGrant.objects.select_for_update().filter(pk=grant.pk).first()
    if current is None:
        raise AdministrationError(_("Ce rôle a déjà été retiré."))
    current.delete()
    _record_change(
        actor=actor,
        kind=AccessChangeKind.ROLE_REVOKED,
        reason=reason,
        user=grant.user,
        role=current.role,
    )


@transaction.atomic
def unit_create(*, actor: User, code: str, name: str, reason: str) -> Unit:
    """Create an administrative unit; it then receives services and members."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    code, name = code.strip().lower(), name.strip()
    if not code or not name:
        raise AdministrationError(_("Indiquez le code et le nom de l'unité."))
    if Unit.objects.filter(code=code).exists():
        raise AdministrationError(_("Une unité a déjà le code « %(code)s ».") % {"code": code})
    try:
        with transaction.atomic():
            unit = Unit.objects.create(code=code, name=name)
    except IntegrityError:
        raise AdministrationError(
            _("Une unité a déjà le code « %(code)s ».") % {"code": code}
        ) from None
    _record_change(actor=actor, kind=AccessChangeKind.UNIT_CREATED, reason=reason, unit=unit)
    return unit


@transaction.atomic
def unit_service_assign(*, actor: User, unit: Unit, service_code: str, reason: str) -> UnitService:
    """Make `unit` responsible for a service of the declaration in force: the dossiers filed
    for it from now on go to the unit. A service belongs to one unit at most."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    declaration = declaration_in_force(on=timezone.localdate())
    service = (
        declaration.services.filter(code=service_code).first() if declaration is not None else None
    )
    if service is None:
        raise AdministrationError(
            _("Aucun service « %(code)s » dans la déclaration en vigueur.") % {"code": service_code}
        )
    owner = UnitService.objects.select_related("unit").filter(service_code=service.code).first()
    if owner is not None:
        raise AdministrationError(
            _(
                "Le service « %(service)s » relève déjà de l'unité « %(unit)s ». Un service "
                "relève d'une seule unité : retirez-le-lui d'abord."
            )
            % {"service": service.name_fr, "unit": owner.unit.name}
        )
    try:
        with transaction.atomic():
            owned = UnitService.objects.create(unit=unit, service_code=service.code)
    except IntegrityError:  # given to a unit at the same moment by another administrator
        raise AdministrationError(
            _("Le service « %(service)s » vient d'être confié à une unité ; rechargez la page.")
            % {"service": service.name_fr}
        ) from None
    _record_change(
        actor=actor,
        kind=AccessChangeKind.SERVICE_ASSIGNED,
        reason=reason,
        unit=unit,
        service_code=service.code,
    )
    return owned


@transaction.atomic
def unit_service_release(*, actor: User, unit_service: UnitService, reason: str) -> None:
    """Take a service from its unit. Dossiers already filed stay with the unit; new requests
    for the service are refused until another unit receives it."""
    _require_administrator(actor)
    reason = _clean_reason(reason)
    current = UnitService.objects.select_for_update().filter(pk=unit_service.pk).first()
    if current is None:
        raise AdministrationError(_("Ce service a déjà été retiré à son unité."))
    current.delete()
    _record_change(
        actor=actor,
        kind=AccessChangeKind.SERVICE_RELEASED,
        reason=reason,
        unit=unit_service.unit,
        service_code=current.service_code,
    )
