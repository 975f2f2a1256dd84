"""Every change to an account goes through here: sign-up, activation, the second factor."""

import enum
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guichet.accounts import mfa, totp
from guichet.accounts.language import (
    current_declaration,
    expired_declaration,
    recent_arrival_valid_until,
    serves_in_french_only,
)
from guichet.accounts.models import (
    AccessChange,
    AccessChangeKind,
    ApiToken,
    EnrolmentCode,
    GlobalRole,
    LanguageBasis,
    LanguageChange,
    LanguageEndReason,
    LanguageOfService,
    Membership,
    RecordedAs,
    RoleGrant,
    ServiceLanguage,
    Signup,
    StaffRole,
    TotpDevice,
    Unit,
    UnitService,
    User,
    has_role,
)
from guichet.audit.models import AccessAction, AccountEvent, SubjectKind
from guichet.audit.services import access_log_account_event, access_log_record
from guichet.catalogue.services import declaration_in_force
from guichet.public_url import public_base

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


# --- Second factor -----------------------------------------------------------------------


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


# --- API tokens ------------------------------------------------------------------------------
#
# A token lets another system act as a service account through the API (guichet/api.py). Its
# creation and revocation are events of that account, in the access log: identifiers only (the
# token's number), never its name or secret.


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


# --- Proof of the mailbox before a staff member's first application --------------------------
#
# Knowing a staff member's password must not be enough to tie an authenticator application to
# their account (whoever enrols first owns the second factor). So before the secret is shown,
# a one-time code goes to the account's address (an account logs in only once its address is
# verified: activated sign-up, or created by the ministry) and must be typed back.

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


# --- Language of service -------------------------------------------------------------------


class LanguageError(Exception):
    """The change of language of service is refused; the message says why, and nothing
    changed."""


def _lock_person(user: User) -> User:
    """Changes to one person's language of service queue up behind each other."""
    return User.objects.select_for_update().get(pk=user.pk)


def _log_language_change(*, user: User, actor: User | None, why: str) -> None:
    from guichet.audit.models import AccessAction, SubjectKind
    from guichet.audit.services import access_log_record

    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.PERSON,
        subject_id=user.pk,
        person=user,
        actor=actor,
        actor_label="" if actor else "système",
        why=why,
    )


@transaction.atomic
def language_of_service_declare(
    *,
    user: User,
    actor: User,
    language: str,
    basis: str,
    arrived_on: date | None = None,
    outside_quebec: bool = False,
    justification: str = "",
    valid_until: date | None = None,
) -> LanguageOfService:
    """Record that `user` is served in `language` in addition to French, on `basis`.

    The client declares it themselves (`actor` is `user`) or an agent records it. The facts
    come with the basis: the date of arrival in Québec (valid six months from it), living
    outside Québec (valid until a change of address to Québec), or a justification for the
    other two, whose last day an agent enters (a client's own declaration of those stands
    until an agent reviews it). A new declaration replaces the previous one; both are kept.
    """
    today = timezone.localdate()
    by_agent = actor.pk != user.pk
    if language not in ServiceLanguage.values:
        raise LanguageError(_("Choisissez l'anglais ou l'espagnol."))
    if basis not in LanguageBasis.values:
        raise LanguageError(_("Choisissez le motif qui vous donne droit à cette langue."))
    if serves_in_french_only(user):
        raise LanguageError(_("Les comptes du personnel sont servis en français."))
    justification = justification.strip()
    facts: dict[str, Any] = {}
    if basis == LanguageBasis.RECENT_ARRIVAL:
        if arrived_on is None:
            raise LanguageError(_("Indiquez la date de votre arrivée au Québec."))
        if arrived_on > today:
            raise LanguageError(_("La date d'arrivée au Québec ne peut pas être dans le futur."))
        until = recent_arrival_valid_until(arrived_on)
        if until < today:
            raise LanguageError(
                _(
                    "Plus de six mois se sont écoulés depuis l'arrivée au Québec : "
                    "ce motif ne s'applique plus."
                )
            )
        facts = {"arrived_on": arrived_on, "valid_until": until}
    elif basis == LanguageBasis.OUTSIDE_QUEBEC:
        if not outside_quebec:
            raise LanguageError(_("Confirmez que votre domicile est hors du Québec."))
        facts = {"outside_quebec": True}
    else:
        if not justification:
            raise LanguageError(_("Expliquez ce qui vous donne droit à ce motif."))
        if by_agent and valid_until is None:
            raise LanguageError(_("Indiquez jusqu'à quand ce motif est valide."))
        if not by_agent and valid_until is not None:
            raise LanguageError(_("La date de fin de ce motif est fixée par le personnel."))
        if valid_until is not None and valid_until < today:
            raise LanguageError(_("La date de fin ne peut pas être dans le passé."))
        facts = {"justification": justification, "valid_until": valid_until}
    user = _lock_person(user)
    record = LanguageOfService.objects.create(
        user=user,
        change=LanguageChange.DECLARED,
        language=language,
        basis=basis,
        recorded_as=RecordedAs.AGENT if by_agent else RecordedAs.CLIENT,
        recorded_by=actor,
        **facts,
    )
    _log_language_change(
        user=user, actor=actor, why=f"langue de service déclarée : {language}, motif {basis}"
    )
    return record


def _end(user: User, actor: User | None, reason: LanguageEndReason) -> LanguageOfService:
    record = LanguageOfService.objects.create(
        user=user,
        change=LanguageChange.ENDED,
        end_reason=reason,
        recorded_as=(
            RecordedAs.SYSTEM
            if actor is None
            else RecordedAs.CLIENT
            if actor.pk == user.pk
            else RecordedAs.AGENT
        ),
        recorded_by=actor,
    )
    _log_language_change(user=user, actor=actor, why=f"langue de service terminée : {reason}")
    return record


@transaction.atomic
def language_of_service_end(*, user: User, actor: User) -> LanguageOfService:
    """End the person's language of service at once, at their request or by an agent: from the
    next page on, they are served in French only."""
    user = _lock_person(user)
    if current_declaration(user) is None:
        raise LanguageError(_("Aucune langue de service autre que le français n'est inscrite."))
    reason = LanguageEndReason.PERSON if actor.pk == user.pk else LanguageEndReason.STAFF
    return _end(user, actor, reason)


@transaction.atomic
def language_of_service_moved_to_quebec(*, user: User, actor: User) -> LanguageOfService | None:
    """A change of address to Québec ends a basis of living outside Québec (other bases do
    not depend on the address). Returns the end when there was one to record."""
    user = _lock_person(user)
    record = current_declaration(user)
    if record is None or record.basis != LanguageBasis.OUTSIDE_QUEBEC:
        return None
    return _end(user, actor, LanguageEndReason.MOVED_TO_QUEBEC)


@transaction.atomic
def language_of_service_note_expiry(*, user: User, today: date) -> LanguageOfService | None:
    """Record the end of a declaration past its last day, once. Returns that declaration when
    this call recorded its end, so that the portal tells the person why it is now in French."""
    user = _lock_person(user)
    record = expired_declaration(user, today)
    if record is None:
        return None
    _end(user, None, LanguageEndReason.EXPIRED)
    return record


# --- Administration: roles, units and the services they own --------------------------------
#
# Every change is made by an administrator (the views also ask them to confirm their password
# first), is atomic, is kept in the append-only AccessChange history with its reason, and,
# when it concerns a person, is written to the access log (identifiers only, never the reason).


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
