"""Every write of the privacy app: the incident register, legal holds and requests for access
or rectification. Each writes its row of the access log through guichet/audit/services.py.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.letters import long_date_fr
from guichet.dossiers.models import Dossier
from guichet.privacy.deadlines import EXTENSION_DAYS, RequestClock, request_clock
from guichet.privacy.export import export_json, export_pdf, personal_data
from guichet.privacy.models import (
    ConfidentialityIncident,
    IncidentStatus,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestFile,
    InfoRequestFileKind,
    InfoRequestKind,
    LegalHold,
)


class PrivacyError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


# --- Register of confidentiality incidents ----------------------------------------------------

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


# --- Legal holds ----------------------------------------------------------------------------


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


# --- Requests for access or rectification -----------------------------------------------------

REQUEST_WHY = {
    InfoRequestKind.ACCESS: "demande d'accès aux renseignements personnels",
    InfoRequestKind.RECTIFICATION: "demande de rectification de renseignements personnels",
}
_LONG_TEXT = 4000


def info_request_clock(request: InfoRequest) -> RequestClock:
    """The request's clock, computed from its events."""
    events = request.events.order_by("seq").values_list("kind", "occurred_on")
    return request_clock(request.received_on, list(events))


def _request_event(
    request: InfoRequest, kind: InfoRequestEventKind, actor: User | None, **details: Any
) -> InfoRequestEvent:
    last = request.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    event = InfoRequestEvent.objects.create(
        request=request,
        seq=last + 1,
        kind=kind,
        occurred_on=timezone.localdate(),
        recorded_at=timezone.now(),
        actor=actor,
        details=details,
    )
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.INFO_REQUEST,
        subject_id=request.pk,
        person=request.person_id,
        actor=actor,
        why=f"{REQUEST_WHY[InfoRequestKind(request.kind)]} : {event.get_kind_display()}",
    )
    return event


def _store_file(
    request: InfoRequest,
    event: InfoRequestEvent,
    kind: InfoRequestFileKind,
    title: str,
    content: bytes,
    content_type: str,
) -> InfoRequestFile:
    stored = InfoRequestFile(
        request=request,
        kind=kind,
        title=title,
        content_type=content_type,
        size=len(content),
        event_seq=event.seq,
        created_at=timezone.now(),
    )
    extension = "json" if content_type == "application/json" else "pdf"
    stored.file.save(
        f"{request.reference}-{event.seq}-{kind}.{extension}", ContentFile(content), save=False
    )
    stored.save()
    return stored


def _letter(
    request: InfoRequest, event: InfoRequestEvent, letter: str, context: dict[str, Any]
) -> InfoRequestFile:
    from guichet.privacy import letters

    pdf = letters.render_request_letter(letter, request, context)
    stored = _store_file(
        request,
        event,
        letters.FILE_KIND[letter],
        letters.letter_title(letter, request),
        pdf,
        "application/pdf",
    )
    from guichet.privacy.tasks import notify_request_letter_waiting

    # In the transaction: the task's row commits with the letter or not at all
    # (docs/reliability.md).
    notify_request_letter_waiting.enqueue(stored.pk)
    return stored


def _lock_request(request: InfoRequest) -> InfoRequest:
    locked: InfoRequest = (
        InfoRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    )
    return locked


def _require_open(request: InfoRequest) -> RequestClock:
    clock = info_request_clock(request)
    if clock.answered_on is not None:
        raise PrivacyError("Cette demande a déjà reçu sa réponse.")
    return clock


@transaction.atomic
def info_request_submit(
    *,
    person: User,
    kind: InfoRequestKind,
    details: str = "",
    correction: str = "",
    dossier_number: str = "",
) -> InfoRequest:
    """A person asks, online, for access to their information or for its rectification. The
    date of reception is today (day 0 of the 20-day clock)."""
    if kind not in InfoRequestKind.values:
        raise PrivacyError("Choisissez une demande d'accès ou une demande de rectification.")
    details, correction = details.strip(), correction.strip()
    if len(details) > _LONG_TEXT or len(correction) > _LONG_TEXT:
        raise PrivacyError(f"Chaque texte est limité à {_LONG_TEXT} caractères.")
    if kind == InfoRequestKind.RECTIFICATION:
        if not details:
            raise PrivacyError("Indiquez quel renseignement est inexact.")
        if not correction:
            raise PrivacyError("Indiquez ce que le renseignement devrait être.")
    number = dossier_number.strip()
    if number and not Dossier.objects.filter(client=person, number=number).exists():
        raise PrivacyError("Ce dossier ne fait pas partie de vos dossiers.")
    request = InfoRequest.objects.create(
        person=person,
        kind=kind,
        received_on=timezone.localdate(),
        received_at=timezone.now(),
        details=details,
        correction=correction,
        dossier_number=number,
    )
    _request_event(request, InfoRequestEventKind.RECEIVED, person)
    return request


@transaction.atomic
def info_request_extend(*, request: InfoRequest, reason: str, actor: User) -> InfoRequestFile:
    """Extend the delay once, by 10 days, with a notice to the person sent no later than the
    20th day. Returns the notice (a PDF letter stored with the request)."""
    request = _lock_request(request)
    clock = info_request_clock(request)
    refused = clock.extension_refused(timezone.localdate())
    if refused:
        raise PrivacyError(refused)
    reason = reason.strip()
    if not reason:
        raise PrivacyError("Le motif de la prolongation est obligatoire : il figure dans l'avis.")
    if len(reason) > _LONG_TEXT:
        raise PrivacyError(f"Le motif est limité à {_LONG_TEXT} caractères.")
    new_due = clock.first_due_on + timedelta(days=EXTENSION_DAYS)
    event = _request_event(
        request, InfoRequestEventKind.EXTENDED, actor, reason=reason, until=new_due.isoformat()
    )
    return _letter(
        request,
        event,
        "extension",
        {
            "reason": reason,
            "first_due_long": long_date_fr(clock.first_due_on),
            "due_long": long_date_fr(new_due),
            "officer": str(actor),
        },
    )


@transaction.atomic
def info_request_answer_access(
    *, request: InfoRequest, actor: User, message: str = ""
) -> list[InfoRequestFile]:
    """Answer an access request: gather everything about the person (export.py), store it as
    a JSON file and a readable PDF with the answer letter, and tell the person."""
    request = _lock_request(request)
    if request.kind != InfoRequestKind.ACCESS:
        raise PrivacyError("Cette demande est une demande de rectification.")
    _require_open(request)
    message = message.strip()[:_LONG_TEXT]
    document = personal_data(request.person)
    json_bytes = export_json(document)
    pdf_bytes = export_pdf(document)
    event = _request_event(
        request,
        InfoRequestEventKind.ANSWERED,
        actor,
        message=message,
        sections=list(document["sections"]),
    )
    files = [
        _store_file(
            request,
            event,
            InfoRequestFileKind.EXPORT_PDF,
            f"Vos renseignements personnels (PDF) — {request.reference}",
            pdf_bytes,
            "application/pdf",
        ),
        _store_file(
            request,
            event,
            InfoRequestFileKind.EXPORT_JSON,
            f"Vos renseignements personnels (JSON) — {request.reference}",
            json_bytes,
            "application/json",
        ),
    ]
    access_log_record(
        action=AccessAction.EXPORT,
        subject_kind=SubjectKind.INFO_REQUEST,
        subject_id=request.pk,
        person=request.person_id,
        actor=actor,
        why=f"réponse à une demande d'accès ({len(document['sections'])} sections)",
    )
    letter = _letter(request, event, "access", {"message": message, "officer": str(actor)})
    return [letter, *files]


@transaction.atomic
def info_request_rectify(
    *,
    request: InfoRequest,
    actor: User,
    dossier: Dossier,
    field_name: str,
    value: str | date,
    message: str = "",
) -> InfoRequestFile:
    """Accept a rectification: the dossier is corrected through its own service (which
    records the correction in its history), the request is answered, the person told."""
    from guichet.dossiers.services import RECTIFIABLE_FIELDS, DossierError, dossier_rectify

    request = _lock_request(request)
    if request.kind != InfoRequestKind.RECTIFICATION:
        raise PrivacyError("Cette demande est une demande d'accès.")
    _require_open(request)
    if dossier.client_id != request.person_id:
        raise PrivacyError("Ce dossier n'appartient pas à la personne qui fait la demande.")
    try:
        dossier_rectify(
            dossier=dossier,
            field_name=field_name,
            value=value,
            reference=request.reference,
            actor=actor,
        )
    except DossierError as exc:
        raise PrivacyError(str(exc)) from exc
    message = message.strip()[:_LONG_TEXT]
    event = _request_event(
        request,
        InfoRequestEventKind.RECTIFIED,
        actor,
        dossier=dossier.number,
        field=field_name,
        message=message,
    )
    return _letter(
        request,
        event,
        "rectified",
        {
            "dossier_number": dossier.number,
            "field_label": RECTIFIABLE_FIELDS[field_name],
            "message": message,
            "officer": str(actor),
        },
    )


# The person may ask the Commission d'accès à l'information to review a refusal within 30 days
# (Loi sur l'accès, art. 135).
RECOURSE_DAYS = 30


@transaction.atomic
def info_request_refuse_rectification(
    *, request: InfoRequest, actor: User, reasons: str
) -> InfoRequestFile:
    """Refuse a rectification, with reasons and the recourse before the Commission d'accès
    à l'information (30 days)."""
    request = _lock_request(request)
    if request.kind != InfoRequestKind.RECTIFICATION:
        raise PrivacyError("Une demande d'accès ne se refuse pas ici.")
    _require_open(request)
    reasons = reasons.strip()
    if not reasons:
        raise PrivacyError("Les motifs du refus sont obligatoires : ils figurent dans la lettre.")
    if len(reasons) > _LONG_TEXT:
        raise PrivacyError(f"Les motifs sont limités à {_LONG_TEXT} caractères.")
    until = timezone.localdate() + timedelta(days=RECOURSE_DAYS)
    event = _request_event(
        request,
        InfoRequestEventKind.REFUSED,
        actor,
        reasons=reasons,
        recourse_until=until.isoformat(),
    )
    return _letter(
        request,
        event,
        "refused",
        {"reasons": reasons, "recourse_until_long": long_date_fr(until), "officer": str(actor)},
    )
