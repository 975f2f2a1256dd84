"""What happens to the person during a dossier: a mandate given or ended, a service event,
a change of situation reported, information rectified."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.accounts.services import language_of_service_moved_to_quebec
from guichet.dossiers.models import (
    Dossier,
    DossierEvent,
    EventKind,
)
from guichet.dossiers.services.base import (
    DossierError,
    _check_not_before_reception,
    _event,
    _lives_outside_quebec,
    _lock,
    _require_open,
    _save,
    _today,
)


@transaction.atomic
def dossier_record_mandate_event(
    *,
    dossier: Dossier,
    kind: EventKind,
    actor: User,
    expected_version: int | None = None,
    **details: Any,
) -> DossierEvent:
    """A mandate given or revoked on the dossier (guichet/mandates/services.py calls this
    inside its own transaction): the event in the history, its access-log entry, a new
    version. The clocks are not affected."""
    dossier = _lock(dossier, expected_version)
    event = _event(dossier, kind, actor, **details)
    _save(dossier)
    return event


# Events an agent records as they happen; each may stop a commitment's clock.
SERVICE_EVENTS = (
    EventKind.ADMISSIBILITY_NOTICE_SENT,
    EventKind.ADMISSIBILITY_CONFIRMED,
    EventKind.COURSE_STARTED,
    EventKind.MEETING_HELD,
    EventKind.SESSION_HELD,
    EventKind.ACCOMPANIMENT_STARTED,
    EventKind.ANSWERED,
)


@transaction.atomic
def dossier_record_service_event(
    *,
    dossier: Dossier,
    kind: EventKind,
    actor: User,
    on: date | None = None,
    expected_version: int | None = None,
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if kind not in SERVICE_EVENTS:
        raise DossierError("Cet événement ne s'inscrit pas ainsi.")
    if dossier.events.filter(kind=kind).exists():
        raise DossierError(f"« {EventKind(kind).label} » est déjà inscrit.")
    day = on or _today()
    _check_not_before_reception(dossier, day)
    _event(dossier, kind, actor, on=day)
    _save(dossier)
    return dossier


@transaction.atomic
def dossier_report_change(
    *,
    dossier: Dossier,
    kind: EventKind,
    text: str,
    actor: User,
    expected_version: int | None = None,
    in_quebec: bool | None = None,
) -> Dossier:
    """A change of address or of situation, kept in the history.

    A new address in Québec (`in_quebec`) ends the client's language of service on the basis
    of living outside Québec; while such a basis is in force, an address change must say
    where the new address is."""
    dossier = _lock(dossier, expected_version)
    if kind == EventKind.ADDRESS_CHANGED and in_quebec is None and _lives_outside_quebec(dossier):
        raise DossierError(gettext("Indiquez si la nouvelle adresse est au Québec."))
    if kind not in (EventKind.ADDRESS_CHANGED, EventKind.SITUATION_CHANGED):
        raise DossierError(_("Changement inconnu."))
    if not text.strip():
        raise DossierError(_("Décrivez le changement."))
    if kind == EventKind.ADDRESS_CHANGED:
        dossier.postal_address = text.strip()
    _event(dossier, kind, actor, text=text.strip())
    if kind == EventKind.ADDRESS_CHANGED and in_quebec and dossier.client is not None:
        language_of_service_moved_to_quebec(user=dossier.client, actor=actor)
    _save(dossier, "postal_address")
    return dossier


# Identity fields a rectification (Loi sur l'accès, art. 89) may correct, with their labels.
RECTIFIABLE_FIELDS = {
    "applicant_name": "nom du demandeur",
    "applicant_email": "courriel du demandeur",
    "postal_address": "adresse postale",
    "birth_date": "date de naissance",
    "passport_number": "numéro de passeport",
    "federal_client_id": "identifiant client fédéral (IUC)",
}


@transaction.atomic
def dossier_rectify(
    *, dossier: Dossier, field_name: str, value: str | date, reference: str, actor: User
) -> Dossier:
    """Correct one identity field of the dossier, as the privacy officer accepted in the
    request `reference`. The history records which field was corrected and why, not the old
    value: an inexact value is not kept."""
    dossier = _lock(dossier, None)
    if field_name not in RECTIFIABLE_FIELDS:
        raise DossierError("Ce renseignement ne se rectifie pas ainsi.")
    if isinstance(value, str):
        value = value.strip()
    if field_name == "birth_date":
        if not isinstance(value, date) or value > _today():
            raise DossierError("La date de naissance rectifiée doit être une date passée.")
    elif not isinstance(value, str) or (not value and field_name == "applicant_name"):
        raise DossierError("Indiquez le renseignement exact.")
    label = RECTIFIABLE_FIELDS[field_name]
    setattr(dossier, field_name, value)
    _event(
        dossier,
        EventKind.RECTIFIED,
        actor,
        text=f"Rectification ({reference}) : {label}",
        rectification=reference,
        field=field_name,
    )
    _save(dossier, field_name)
    return dossier
