"""Every state change of a complaint or comment: one typed, atomic function each, writing the
complaint's event and the access-log entry itself. E-mails leave after the commit.

Only members of the Commissaire's office act on a complaint (enter one received by mail or
telephone, acknowledge, ask for information, answer, recommend); anyone may file one online,
signed in or not.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.models import Unit, User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    EventKind,
    Kind,
    Outcome,
    Recommendation,
    State,
)
from guichet.complaints.selectors import is_commissaire
from guichet.dossiers.models import Dossier


class ComplaintError(Exception):
    """The action is refused; the message says why, in French, and nothing changed."""


def _require_commissaire(actor: User) -> None:
    if not is_commissaire(actor):
        raise ComplaintError(_("Seul le bureau du Commissaire aux plaintes peut faire cela."))


def _event(
    complaint: Complaint, kind: EventKind, actor: User | None, on: date, note: str = ""
) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, occurred_on=on, actor=actor, note=note
    )
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.COMPLAINT,
        subject_id=complaint.pk,
        # No person and no number: the log's readers (the privacy officer) must not learn
        # who complained (the complaint is sealed), only that the office read one.
        actor=actor,
        actor_label="" if actor else "personne non connectée",
        why=str(EventKind(kind).label),
    )
    return event


def _mail_after_commit(complaint: Complaint, template: str, subject: str) -> None:
    address = complaint.contact_email or (
        complaint.complainant.email if complaint.complainant else ""
    )
    if not address:
        return
    body = render_to_string(f"complaints/email/{template}.txt", {"complaint": complaint})
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )


@transaction.atomic
def complaint_file(
    *,
    actor: User | None,
    kind: Kind,
    subject: str,
    text: str,
    channel: Channel = Channel.WEB,
    received_on: date | None = None,
    dossier: Dossier | None = None,
    complainant: User | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    contact_address: str = "",
    anonymous: bool = False,
) -> Complaint:
    """File a complaint or a comment. Online (`channel` web), the date of reception is today
    and the person is `actor` when signed in (their dossier, reached by the caller through
    the owner's getter, may be linked), or an anonymous person who leaves a way to be reached.
    By mail or telephone, the Commissaire's office enters it with the real date of reception.
    `anonymous` is a comment that asks for nothing back (a survey's, guichet/surveys): no way
    to reach its author is kept, and none is required."""
    today = timezone.localdate()
    if channel == Channel.WEB:
        received_on = today
        complainant = actor if actor is not None and actor.is_authenticated else None
    else:
        if actor is None:
            raise ComplaintError(_("Seul le bureau du Commissaire aux plaintes peut faire cela."))
        _require_commissaire(actor)
        if received_on is None or received_on > today:
            raise ComplaintError(_("La date de réception ne peut pas être dans le futur."))
    assert received_on is not None  # noqa: S101 (set above)
    if anonymous:
        if kind != Kind.COMMENT or channel != Channel.WEB:
            raise ComplaintError(_("Seul un commentaire en ligne peut être anonyme."))
        complainant, contact_name, contact_email, contact_phone = None, "", "", ""
        contact_address = ""
    elif complainant is None and not (contact_email or contact_phone or contact_address):
        raise ComplaintError(
            _("Indiquez au moins un moyen de vous joindre : courriel, téléphone ou adresse.")
        )
    if (
        dossier is not None
        and channel == Channel.WEB
        and dossier.client_id != getattr(complainant, "pk", None)
    ):
        raise ComplaintError(_("Ce dossier n'est pas le vôtre."))
    complaint = Complaint.objects.create(
        # A placeholder until the id is known (the number is built from it just below).
        number=f"tmp-{secrets.token_hex(6)}",
        kind=kind,
        channel=channel,
        received_on=received_on,
        subject=subject,
        text=text,
        dossier=dossier,
        unit_id=dossier.unit_id if dossier is not None else None,
        complainant=complainant,
        contact_name=contact_name or (complainant.full_name if complainant else ""),
        contact_email=contact_email or (complainant.email if complainant else ""),
        contact_phone=contact_phone,
        contact_address=contact_address,
    )
    complaint.number = f"P-{received_on.year}-{complaint.pk:05d}"
    complaint.save(update_fields=["number"])
    entered_by = actor if channel != Channel.WEB else complainant
    _event(complaint, EventKind.RECEIVED, entered_by, received_on)
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    # Only the complaint's row is locked (PostgreSQL locks no row of an outer join).
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("complainant")
        .get(pk=complaint.pk)
    )


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User) -> Complaint:
    """Send the acknowledgment (a letter, and an e-mail when there is an address); stops the
    2-day clock on today."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    if locked.acknowledged_on is not None:
        raise ComplaintError(_("L'accusé de réception a déjà été envoyé."))
    today = timezone.localdate()
    locked.acknowledged_on = today
    if locked.state == State.RECEIVED:
        locked.state = State.ACKNOWLEDGED
    locked.save(update_fields=["acknowledged_on", "state"])
    _event(locked, EventKind.ACKNOWLEDGED, actor, today)
    _mail_after_commit(
        locked,
        "acknowledgment",
        _("Accusé de réception de votre %(kind)s %(number)s")
        % {"kind": locked.get_kind_display().lower(), "number": locked.number},
    )
    return locked


@transaction.atomic
def complaint_request_information(*, complaint: Complaint, actor: User, question: str) -> Complaint:
    """Ask the complainant for information: the clocks are suspended from today until the
    information arrives (`complaint_information_received`)."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    if locked.state == State.WAITING:
        raise ComplaintError(_("Des renseignements sont déjà demandés."))
    if locked.state == State.ANSWERED:
        raise ComplaintError(_("La réponse est déjà envoyée."))
    locked.state = State.WAITING
    locked.save(update_fields=["state"])
    _event(locked, EventKind.INFO_REQUESTED, actor, timezone.localdate(), question)
    _mail_after_commit(
        locked,
        "information_request",
        _("Renseignements demandés sur votre plainte %(number)s") % {"number": locked.number},
    )
    return locked


@transaction.atomic
def complaint_information_received(
    *, complaint: Complaint, actor: User, note: str = "", on: date | None = None
) -> Complaint:
    """The information asked for arrived on `on` (today by default): the clocks restart."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    if locked.state != State.WAITING:
        raise ComplaintError(_("Aucun renseignement n'est attendu."))
    today = timezone.localdate()
    on = on or today
    asked = locked.events.filter(kind=EventKind.INFO_REQUESTED).order_by("-id").first()
    if on > today or (asked is not None and on < asked.occurred_on):
        raise ComplaintError(_("Cette date n'est pas possible."))
    locked.state = State.ACKNOWLEDGED if locked.acknowledged_on else State.RECEIVED
    locked.save(update_fields=["state"])
    _event(locked, EventKind.INFO_RECEIVED, actor, on, note)
    return locked


@transaction.atomic
def complaint_answer(
    *, complaint: Complaint, actor: User, outcome: Outcome, findings: str, changes: str
) -> Complaint:
    """Send the answer: founded, partly founded or unfounded, what was found, what will
    change. Stops the 10-day clock on today. A comment gets no answer (none is promised)."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    if locked.kind != Kind.COMPLAINT:
        raise ComplaintError(_("Un commentaire n'appelle pas de réponse."))
    if locked.state == State.ANSWERED:
        raise ComplaintError(_("La réponse est déjà envoyée."))
    if locked.state == State.WAITING:
        raise ComplaintError(
            _("Des renseignements sont attendus : inscrivez-les avant de répondre.")
        )
    today = timezone.localdate()
    locked.state = State.ANSWERED
    locked.answered_on = today
    locked.outcome = outcome
    locked.findings = findings
    locked.changes = changes
    if locked.acknowledged_on is None:
        # The answer acknowledges too: nobody waits for a receipt after their answer.
        locked.acknowledged_on = today
        _event(locked, EventKind.ACKNOWLEDGED, actor, today)
    locked.save(
        update_fields=["state", "answered_on", "outcome", "findings", "changes", "acknowledged_on"]
    )
    _event(locked, EventKind.ANSWERED, actor, today)
    _mail_after_commit(
        locked,
        "answer",
        _("Réponse à votre plainte %(number)s") % {"number": locked.number},
    )
    return locked


@transaction.atomic
def complaint_set_unit(*, complaint: Complaint, actor: User, unit: Unit | None) -> Complaint:
    """Name the unit a complaint is about (for the figures by unit)."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    locked.unit = unit
    locked.save(update_fields=["unit"])
    return locked


@transaction.atomic
def recommendation_make(
    *, complaint: Complaint, actor: User, unit: Unit, text: str
) -> Recommendation:
    """A recommendation to `unit` after a founded or partly founded complaint."""
    _require_commissaire(actor)
    locked = _locked(complaint)
    if locked.outcome not in (Outcome.FOUNDED, Outcome.PARTLY_FOUNDED):
        raise ComplaintError(
            _("Seule une plainte fondée ou partiellement fondée porte des recommandations.")
        )
    today = timezone.localdate()
    made = Recommendation.objects.create(complaint=locked, unit=unit, text=text, made_on=today)
    _event(locked, EventKind.RECOMMENDED, actor, today, f"{unit.code} : {text}")
    return made


@transaction.atomic
def recommendation_report_done(
    *, recommendation: Recommendation, actor: User, report: str
) -> Recommendation:
    """The unit reports the recommendation done (a supervisor of the unit, or the office on
    the unit's word); the follow-up ends."""
    from guichet.accounts.models import Membership, StaffRole

    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    supervisor = Membership.objects.filter(
        user=actor, unit_id=locked.unit_id, role=StaffRole.SUPERVISOR
    ).exists()
    if not (supervisor or is_commissaire(actor)):
        raise ComplaintError(_("Seule l'unité visée ou le Commissaire peut faire cela."))
    if locked.done_on is not None:
        raise ComplaintError(_("Cette recommandation est déjà mise en œuvre."))
    today = timezone.localdate()
    locked.done_on = today
    locked.done_report = report
    locked.save(update_fields=["done_on", "done_report"])
    _event(locked.complaint, EventKind.RECOMMENDATION_DONE, actor, today, report)
    return locked
