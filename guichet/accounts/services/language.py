"""The language of service (Charte de la langue française): declared on a recorded basis,
ended, and what happens when a person moves to Québec or a basis expires."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.language import (
    current_declaration,
    expired_declaration,
    recent_arrival_valid_until,
    serves_in_french_only,
)
from guichet.accounts.models import (
    LanguageBasis,
    LanguageChange,
    LanguageEndReason,
    LanguageOfService,
    RecordedAs,
    ServiceLanguage,
    User,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record


class LanguageError(Exception):
    """The change of language of service is refused; the message says why, and nothing
    changed."""


def _lock_person(user: User) -> User:
    """Changes to one person's language of service queue up behind each other."""
    return User.objects.select_for_update().get(pk=user.pk)


def _log_language_change(*, user: User, actor: User | None, why: str) -> None:

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
