"""Legal holds: what the retention schedule must not destroy while a hold is in place."""

from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.models import Dossier
from guichet.privacy.models import (
    LegalHold,
)
from guichet.privacy.services.errors import PrivacyError


@transaction.atomic
def legal_hold_place(
    *, actor: User, reason: str, dossier: Dossier | None = None, person: User | None = None
) -> LegalHold:
    """Keep a dossier, or everything about a person, out of any purge until the hold is
    lifted."""
    if (dossier is None) == (person is None):
        raise PrivacyError("Une conservation légale vise un dossier ou une personne.")
    if not reason.strip():
        raise PrivacyError("Le motif de la conservation légale est obligatoire.")
    label = f"dossier {dossier.number}" if dossier else f"compte n° {person.pk if person else ''}"
    hold = LegalHold.objects.create(
        dossier=dossier,
        person=person,
        target_label=label,
        reason=reason.strip(),
        placed_by=actor,
        placed_at=timezone.now(),
    )
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.LEGAL_HOLD,
        subject_id=hold.pk,
        subject_number=dossier.number if dossier else "",
        person=person if person else (dossier.client_id if dossier else None),
        actor=actor,
        why="conservation légale placée",
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, actor: User) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise PrivacyError("Cette conservation légale est déjà levée.")
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.LEGAL_HOLD,
        subject_id=hold.pk,
        subject_number=hold.dossier.number if hold.dossier else "",
        person=hold.person_id or (hold.dossier.client_id if hold.dossier else None),
        actor=actor,
        why="conservation légale levée",
    )
    return hold
