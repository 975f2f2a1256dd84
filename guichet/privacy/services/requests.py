"""Requests for access or rectification: submit, extend, answer, rectify, refuse; their
clock, letters and files."""

from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.dossiers.letters import long_date_fr
from guichet.dossiers.models import Dossier
from guichet.privacy.deadlines import EXTENSION_DAYS, RequestClock, request_clock
from guichet.privacy.export import export_json, export_pdf, personal_data
from guichet.privacy.models import (
    InfoRequest,
    InfoRequestEvent,
    InfoRequestEventKind,
    InfoRequestFile,
    InfoRequestFileKind,
    InfoRequestKind,
)
from guichet.privacy.services.errors import PrivacyError
from guichet.privacy.tasks import notify_request_letter_waiting

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
