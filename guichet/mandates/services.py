"""Every state change of the mandates app: one typed, atomic function each.

Giving and revoking a mandate are also events of the dossier (its history and the access log,
through `dossier_record_mandate_event`); the consultant is told by e-mail after the commit.
The register of consultants is kept by staff (the admin, or `guichet consultant`); a
suspension or revocation of a recognition, which stops every mandate of the consultant, is
written to the access log with who made it.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.models import Dossier, DossierState, EventKind
from guichet.dossiers.services import dossier_record_mandate_event
from guichet.mandates.models import Consultant, Mandate, recognized_on


class MandateError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


def _notify_after_commit(mandate: Mandate, what: str) -> None:
    from guichet.mandates.tasks import notify_consultant

    # In the transaction: the task's row commits with the mandate's change or not at all
    # (docs/reliability.md).
    notify_consultant.enqueue(mandate.pk, what)


@transaction.atomic
def mandate_grant(*, dossier: Dossier, recognition_number: str, email: str, actor: User) -> Mandate:
    """The client of `dossier` gives a mandate to the consultant recognized today under
    `recognition_number`, whose professional e-mail address in the register is `email` (the
    client's proof that they mean this consultant). One mandate at a time per dossier."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if actor.pk is None or locked.client_id != actor.pk:
        raise MandateError(_("Seul le client ou la cliente du dossier peut donner un mandat."))
    if locked.state in (DossierState.WITHDRAWN, DossierState.CLOSED):
        raise MandateError(_("Ce dossier est fermé : un mandat n'y servirait plus."))
    today = timezone.localdate()
    consultant = (
        Consultant.objects.filter(
            recognized_on(today),
            recognition_number__iexact=recognition_number.strip(),
            email__iexact=email.strip(),
        )
        .select_related("user")
        .first()
    )
    if consultant is None:
        raise MandateError(
            _(
                "Aucun consultant en immigration reconnu aujourd'hui ne correspond à ce numéro "
                "de reconnaissance et à cette adresse courriel. Vérifiez-les auprès de votre "
                "consultant ; rien n'a été changé."
            )
        )
    if consultant.user_id is None:
        raise MandateError(
            _(
                "Ce consultant n'a pas encore de compte Guichet : il ne pourrait pas agir sur "
                "votre dossier. Demandez-lui de s'en faire ouvrir un."
            )
        )
    if consultant.user_id == actor.pk:
        raise MandateError(_("Vous ne pouvez pas vous donner un mandat à vous-même."))
    current = Mandate.objects.filter(dossier=locked, revoked_at__isnull=True).first()
    if current is not None:
        raise MandateError(
            _(
                "Un mandat est déjà en cours sur ce dossier (%(consultant)s) : révoquez-le "
                "avant d'en donner un autre."
            )
            % {"consultant": current.consultant}
        )
    mandate = Mandate.objects.create(dossier=locked, consultant=consultant, granted_by=actor)
    dossier_record_mandate_event(
        dossier=locked,
        kind=EventKind.MANDATE_GRANTED,
        actor=actor,
        mandate=mandate.pk,
        consultant=str(consultant),
    )
    _notify_after_commit(mandate, "granted")
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, actor: User) -> Mandate:
    """The client revokes the mandate; it ends at once (the consultant's next request is
    refused)."""
    locked = (
        Mandate.objects.select_for_update()
        .select_related("dossier", "consultant")
        .get(pk=mandate.pk)
    )
    if actor.pk is None or locked.dossier.client_id != actor.pk:
        raise MandateError(_("Seul le client ou la cliente du dossier peut révoquer un mandat."))
    if locked.revoked_at is not None:
        raise MandateError(_("Ce mandat est déjà révoqué."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    dossier_record_mandate_event(
        dossier=locked.dossier,
        kind=EventKind.MANDATE_REVOKED,
        actor=actor,
        mandate=locked.pk,
        consultant=str(locked.consultant),
    )
    _notify_after_commit(locked, "revoked")
    return locked


# --- The register (staff) -------------------------------------------------------------------


def _check_period(start: date, end: date | None, what: str) -> None:
    if end is not None and end < start:
        raise MandateError(
            _("La fin de %(what)s précède son début.") % {"what": what},
        )


@transaction.atomic
def consultant_register(
    *,
    recognition_number: str,
    full_name: str,
    email: str,
    recognized_from: date,
    recognized_until: date | None = None,
    user: User | None = None,
    recognition_dossier: Dossier | None = None,
) -> Consultant:
    """Enter a recognized consultant in the register, or update the entry with that number
    (a renewal moves its period)."""
    number = recognition_number.strip()
    if not number or not full_name.strip() or not email.strip():
        raise MandateError(_("Le numéro, le nom et l'adresse courriel sont obligatoires."))
    _check_period(recognized_from, recognized_until, _("la reconnaissance"))
    if user is not None:
        taken = Consultant.objects.filter(user=user).exclude(recognition_number=number).first()
        if taken is not None:
            raise MandateError(
                _("Ce compte est déjà celui du consultant n° %(number)s.")
                % {"number": taken.recognition_number}
            )
    consultant, _created = Consultant.objects.update_or_create(
        recognition_number=number,
        defaults={
            "full_name": full_name.strip(),
            "email": email.strip().lower(),
            "recognized_from": recognized_from,
            "recognized_until": recognized_until,
            "user": user,
            "recognition_dossier": recognition_dossier,
        },
    )
    return consultant


def _register_log(
    consultant: Consultant, *, actor: User | None, actor_label: str, what: str
) -> None:
    """The access-log entry of a change to a consultant's recognition: the consultant's account
    (when they have one) as the person, their recognition number, never their name."""
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.PERSON,
        subject_id=consultant.user_id,
        person=consultant.user_id,
        actor=actor,
        actor_label=actor_label,
        why=f"registre des consultants : {what} (n° {consultant.recognition_number})",
    )


@transaction.atomic
def consultant_suspend(
    *,
    consultant: Consultant,
    start: date,
    end: date | None = None,
    actor: User | None,
    actor_label: str = "",
) -> Consultant:
    """Suspend the recognition from `start` (until `end`, or until further notice): no mandate
    can be given or used during the suspension. `actor` is the staff member who records it
    (None for a command, named in `actor_label`)."""
    _check_period(start, end, _("la suspension"))
    consultant.suspended_from, consultant.suspended_until = start, end
    consultant.save(update_fields=["suspended_from", "suspended_until"])
    until = f" au {end.isoformat()}" if end else " jusqu'à nouvel ordre"
    _register_log(
        consultant,
        actor=actor,
        actor_label=actor_label,
        what=f"reconnaissance suspendue du {start.isoformat()}{until}",
    )
    return consultant


@transaction.atomic
def consultant_suspension_lift(
    *, consultant: Consultant, actor: User | None, actor_label: str = ""
) -> Consultant:
    """Take the suspension away (entered by mistake, or ended early): the recognition's own
    period decides again."""
    if consultant.suspended_from is None:
        raise MandateError(_("Ce consultant n'est pas suspendu."))
    consultant.suspended_from = consultant.suspended_until = None
    consultant.save(update_fields=["suspended_from", "suspended_until"])
    _register_log(consultant, actor=actor, actor_label=actor_label, what="suspension levée")
    return consultant


@transaction.atomic
def consultant_revoke_recognition(
    *, consultant: Consultant, on: date, actor: User | None, actor_label: str = ""
) -> Consultant:
    """The recognition is revoked from `on`: every mandate of the consultant stops working.
    `actor` as for `consultant_suspend`."""
    if on < consultant.recognized_from:
        raise MandateError(_("La révocation précède le début de la reconnaissance."))
    consultant.revoked_on = on
    consultant.save(update_fields=["revoked_on"])
    _register_log(
        consultant,
        actor=actor,
        actor_label=actor_label,
        what=f"reconnaissance révoquée le {on.isoformat()}",
    )
    return consultant


@transaction.atomic
def consultant_revocation_cancel(
    *, consultant: Consultant, actor: User | None, actor_label: str = ""
) -> Consultant:
    """Cancel a revocation entered by mistake: the recognition's own period decides again."""
    if consultant.revoked_on is None:
        raise MandateError(_("La reconnaissance de ce consultant n'est pas révoquée."))
    consultant.revoked_on = None
    consultant.save(update_fields=["revoked_on"])
    _register_log(consultant, actor=actor, actor_label=actor_label, what="révocation annulée")
    return consultant
