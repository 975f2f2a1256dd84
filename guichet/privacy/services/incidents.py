"""The register of confidentiality incidents: report, update, assess, notify, close."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.privacy.models import (
    ConfidentialityIncident,
    IncidentStatus,
)
from guichet.privacy.services.errors import PrivacyError

INCIDENT_FIELDS = (
    "information",
    "information_unknown_reason",
    "circumstances",
    "occurred_from",
    "occurred_to",
    "occurred_approximate",
    "aware_from",
    "aware_to",
    "persons_concerned",
    "persons_approximate",
    "sensitivity",
    "consequences",
    "likelihood",
    "serious_risk",
    "commission_notified_on",
    "persons_notified_on",
    "public_notice",
    "public_notice_reason",
    "measures",
)


# The steps of the workflow, in order, and the only moves allowed between them.
TRANSITIONS: dict[str, tuple[tuple[IncidentStatus, ...], IncidentStatus]] = {
    "assess": ((IncidentStatus.DETECTED,), IncidentStatus.ASSESSED),
    "notify": ((IncidentStatus.ASSESSED,), IncidentStatus.NOTIFIED),
    "close": ((IncidentStatus.ASSESSED, IncidentStatus.NOTIFIED), IncidentStatus.CLOSED),
}


def _label(field: str) -> str:
    return str(getattr(ConfidentialityIncident._meta.get_field(field), "verbose_name", field))


def incident_problems(incident: ConfidentialityIncident, status: IncidentStatus) -> list[str]:
    """What the register lacks (or gets wrong) for `incident` to be at `status`, in French;
    empty when nothing is missing."""
    i = incident
    today = timezone.localdate()
    problems: list[str] = []

    def missing(field: str) -> None:
        problems.append(f"{_label(field)} : à remplir")

    if not i.circumstances.strip():
        missing("circumstances")
    for start, end in (("occurred_from", "occurred_to"), ("aware_from", "aware_to")):
        first, last = getattr(i, start), getattr(i, end)
        if first is None:
            missing(start)
        elif last is not None and last < first:
            problems.append(f"{_label(end)} ({_label(start)}) : précède le début de la période")
        for day_field in (start, end):
            day: date | None = getattr(i, day_field)
            if day is not None and day > today:
                problems.append(f"{_label(day_field)} : date dans le futur")
    if status == IncidentStatus.DETECTED:
        return problems
    if not i.information.strip() and not i.information_unknown_reason.strip():
        problems.append(
            f"{_label('information')} : décrivez-les, ou dites pourquoi ce n'est pas possible"
        )
    if i.persons_concerned is None:
        missing("persons_concerned")
    for field in ("sensitivity", "consequences", "likelihood"):
        if not getattr(i, field).strip():
            missing(field)
    if i.serious_risk is None:
        problems.append(f"{_label('serious_risk')} : répondez oui ou non")
    needs_notices = status == IncidentStatus.NOTIFIED or (
        status == IncidentStatus.CLOSED and i.serious_risk
    )
    if status == IncidentStatus.NOTIFIED and i.serious_risk is False:
        problems.append("Aucun avis n'est exigé : l'évaluation ne retient pas de risque sérieux")
    if needs_notices:
        if i.commission_notified_on is None:
            missing("commission_notified_on")
        if i.persons_notified_on is None and not i.public_notice:
            problems.append(
                f"{_label('persons_notified_on')} : à remplir (ou indiquez l'avis public)"
            )
        if i.public_notice and not i.public_notice_reason.strip():
            missing("public_notice_reason")
        for field in ("commission_notified_on", "persons_notified_on"):
            day = getattr(i, field)
            if day is not None and (day > today or (i.aware_from and day < i.aware_from)):
                problems.append(
                    f"{_label(field)} : doit être entre la connaissance de l'incident et "
                    "aujourd'hui"
                )
    if status == IncidentStatus.CLOSED and not i.measures.strip():
        missing("measures")
    return problems


def _refuse_if_problems(incident: ConfidentialityIncident, status: IncidentStatus) -> None:
    problems = incident_problems(incident, status)
    if problems:
        raise PrivacyError(capfirst(" ; ".join(problems)) + ".")


def _incident_log(incident: ConfidentialityIncident, actor: User, why: str) -> None:
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.INCIDENT,
        subject_id=incident.pk,
        actor=actor,
        why=f"registre des incidents : {why}",
    )


_TEXT = {
    f.name
    for f in ConfidentialityIncident._meta.concrete_fields
    if f.get_internal_type() == "TextField"
}


def _apply(incident: ConfidentialityIncident, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(INCIDENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown incident fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(incident, name, "" if value is None and name in _TEXT else value)


@transaction.atomic
def incident_report(*, actor: User, fields: Mapping[str, Any]) -> ConfidentialityIncident:
    """Enter a newly detected incident in the register (at least: the circumstances, when it
    happened and when the ministry learned of it)."""
    incident = ConfidentialityIncident(created_by=actor, created_at=timezone.now())
    _apply(incident, fields)
    _refuse_if_problems(incident, IncidentStatus.DETECTED)
    incident.save()
    _incident_log(incident, actor, "inscription")
    return incident


def _lock(incident: ConfidentialityIncident, expected_version: int | None) -> Any:
    locked = ConfidentialityIncident.objects.select_for_update().get(pk=incident.pk)
    if expected_version is not None and locked.version != expected_version:
        raise PrivacyError(
            "Quelqu'un d'autre vient de modifier cet incident. Rechargez la page avant d'agir."
        )
    return locked


@transaction.atomic
def incident_update(
    *,
    incident: ConfidentialityIncident,
    actor: User,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> ConfidentialityIncident:
    """Complete or correct an entry; what its current step requires must stay filled in. A
    closed incident no longer changes."""
    incident = _lock(incident, expected_version)
    if incident.status == IncidentStatus.CLOSED:
        raise PrivacyError("Cet incident est fermé : il ne se modifie plus.")
    _apply(incident, fields)
    _refuse_if_problems(incident, IncidentStatus(incident.status))
    incident.version += 1
    incident.save()
    _incident_log(incident, actor, "mise à jour")
    return incident


TRANSITION_WHY = {
    "assess": "évaluation du risque terminée",
    "notify": "avis transmis",
    "close": "fermeture",
}


def _transition(
    incident: ConfidentialityIncident, actor: User, move: str, expected_version: int | None
) -> ConfidentialityIncident:
    incident = _lock(incident, expected_version)
    sources, target = TRANSITIONS[move]
    current = IncidentStatus(incident.status)
    if current not in sources:
        raise PrivacyError(
            f"Un incident à l'étape « {current.label} » ne peut pas passer à « {target.label} »."
        )
    if move == "close" and current == IncidentStatus.ASSESSED and incident.serious_risk:
        raise PrivacyError(
            "Le risque de préjudice sérieux exige d'aviser la Commission et les personnes "
            "concernées avant de fermer l'incident."
        )
    _refuse_if_problems(incident, target)
    now = timezone.now()
    incident.status = target
    stamp = {"assess": "assessed_at", "notify": "notified_at", "close": "closed_at"}[move]
    setattr(incident, stamp, now)
    incident.version += 1
    incident.save()
    _incident_log(incident, actor, TRANSITION_WHY[move])
    return incident


@transaction.atomic
def incident_assess(
    *, incident: ConfidentialityIncident, actor: User, expected_version: int | None = None
) -> ConfidentialityIncident:
    """Detected → assessed: the information, the number of people and the assessment of the
    risk of serious injury are all recorded."""
    return _transition(incident, actor, "assess", expected_version)


@transaction.atomic
def incident_notify(
    *, incident: ConfidentialityIncident, actor: User, expected_version: int | None = None
) -> ConfidentialityIncident:
    """Assessed → notified: the risk of serious injury is real and the Commission and the
    people concerned (or the public) have been told, on the dates recorded."""
    return _transition(incident, actor, "notify", expected_version)


@transaction.atomic
def incident_close(
    *, incident: ConfidentialityIncident, actor: User, expected_version: int | None = None
) -> ConfidentialityIncident:
    """Assessed (no serious risk) or notified → closed: all eight fields of the register are
    complete, including the measures taken."""
    return _transition(incident, actor, "close", expected_version)
