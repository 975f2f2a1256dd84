"""Every state change of a dossier: one typed, atomic function each.

Each function locks the dossier row (SELECT ... FOR UPDATE), refuses to act on a version other
than the one the actor saw (someone else acted in between), appends the event, rewrites the
clock caches, and schedules what must follow the commit (the e-mail that a letter is waiting).
"""

import enum
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guichet.accounts.language import current_declaration
from guichet.accounts.models import LanguageBasis, Membership, UnitService, User, is_staff_member
from guichet.accounts.services import language_of_service_moved_to_quebec
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Service, ServiceKind
from guichet.dossiers import worklist
from guichet.dossiers.clocks import DerivedClock, apply_caches, derive_clocks
from guichet.dossiers.letters import letter_title, render_letter_pdf, render_letter_preview
from guichet.dossiers.models import (
    Channel,
    Decision,
    Document,
    Dossier,
    DossierClock,
    DossierEvent,
    DossierState,
    EventKind,
    Letter,
    LetterKind,
    LinkCode,
)
from guichet.dossiers.uploads import CheckedUpload

# Days a client has to present observations after a notice of intention.
OBSERVATIONS_DAYS = 15
FEE_ITEM = "Paiement des frais exigés"


class DossierError(Exception):
    """The action is refused; the message says why, and nothing changed. The messages a client
    can meet are marked for translation (docs/languages.md); the others stay in French."""


class StaleDossier(DossierError):
    """Someone else acted on the dossier since the actor loaded it."""


@dataclass(frozen=True)
class NewDocument:
    upload: CheckedUpload
    checklist_code: str = ""
    label: str = ""
    answers: str = ""  # the code of the asked item it answers (outstanding_items)


@dataclass
class Applicant:
    name: str
    email: str = ""
    postal_address: str = ""
    birth_date: date | None = None
    passport_number: str = ""


@dataclass
class _Pending:
    letters: list[int] = field(default_factory=list)


def _today() -> date:
    return timezone.localdate()


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    locked = Dossier.objects.select_for_update().select_related("service").get(pk=dossier.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleDossier(
            _(
                "Quelqu'un d'autre vient de modifier ce dossier. Rechargez la page pour voir son "
                "état actuel avant d'agir."
            )
        )
    return locked


def _log_change(*, dossier: Dossier, kind: str, actor: User | None, actor_label: str = "") -> None:
    """An event was added to a dossier's history (every action goes through one)."""
    label = EventKind(kind).label if kind in EventKind.values else kind
    access_log_record(
        action=AccessAction.CHANGE,
        subject_kind=SubjectKind.DOSSIER,
        subject_id=dossier.pk,
        subject_number=dossier.number,
        person=dossier.client_id,
        actor=actor,
        # The label given by the caller names a system ("API : <token>"); a person is
        # identified by the foreign key alone, never by a copy of their name.
        actor_label=actor_label if actor_label else ("" if actor else "système"),
        why=f"inscription au dossier : {label}",
    )


def _event(
    dossier: Dossier,
    kind: EventKind,
    actor: User | None,
    *,
    on: date | None = None,
    actor_label: str = "",
    **details: Any,
) -> DossierEvent:
    last = dossier.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    event = DossierEvent.objects.create(
        dossier=dossier,
        seq=last + 1,
        kind=kind,
        occurred_on=on or _today(),
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else "système"),
        details=details,
    )
    _log_change(dossier=dossier, kind=kind, actor=actor, actor_label=actor_label)
    unit_id = dossier.unit_id
    transaction.on_commit(lambda: worklist.forget_counts(unit_id))
    return event


def refresh_clocks(dossier: Dossier) -> list[DerivedClock]:
    """Rewrite the clock caches of `dossier` from its events (inside the caller's transaction)."""
    events = list(dossier.events.all())
    clocks = derive_clocks(business_calendar(), dossier, events)
    DossierClock.objects.filter(dossier=dossier).delete()
    DossierClock.objects.bulk_create(
        DossierClock(
            dossier=dossier,
            commitment=c.commitment,
            started_on=c.started_on,
            stopped_on=c.stopped_on,
            due_date=c.due_date,
            at_risk_on=c.at_risk_on,
            overdue_on=c.overdue_on,
            outcome=c.outcome or "",
        )
        for c in clocks
    )
    apply_caches(dossier, clocks)
    return clocks


# The dossier's own clock caches, rewritten with `refresh_clocks`.
CLOCK_CACHE_FIELDS = ("due_date", "at_risk_on", "overdue_on")


def _save(dossier: Dossier, *fields: str) -> list[DerivedClock]:
    clocks = refresh_clocks(dossier)
    dossier.version += 1
    dossier.save(update_fields=[*fields, "version", *CLOCK_CACHE_FIELDS])
    return clocks


@transaction.atomic
def dossier_rederive_clocks(*, dossier_id: int) -> None:
    """Rewrite the dossier's clock caches from its events under the calendar as it is now
    (after a change of the calendar, guichet/dossiers/rederive.py), under its row lock. Not an
    action on the dossier: no event, and its version stays, so an agent's open form stays
    valid."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    refresh_clocks(dossier)
    dossier.save(update_fields=list(CLOCK_CACHE_FIELDS))
    unit_id = dossier.unit_id
    transaction.on_commit(lambda: worklist.forget_counts(unit_id))


def _letter(
    dossier: Dossier, kind: LetterKind, event: DossierEvent, context: dict[str, Any]
) -> Letter:
    pdf = render_letter_pdf(kind, dossier, context)
    letter = Letter(
        dossier=dossier, kind=kind, title=letter_title(kind, dossier), event_seq=event.seq
    )
    letter.file.save(f"{dossier.number}-{event.seq}-{kind}.pdf", ContentFile(pdf), save=False)
    letter.save()
    _queue_notice(letter)
    return letter


def _queue_notice(letter: Letter) -> None:
    """Queue the e-mail that the letter is waiting IN the letter's transaction: the task's
    row (django-tasks' database backend) commits with the letter or not at all, so a crash
    right after the commit cannot lose the e-mail (on_commit could), and the worker never
    sees the task before the letter exists (docs/reliability.md)."""
    from guichet.dossiers.tasks import notify_letter_waiting

    notify_letter_waiting.enqueue(letter.pk)


def _store_documents(
    dossier: Dossier, documents: Sequence[NewDocument], actor: User | None
) -> list[Document]:
    labels = {d.code: d.label_fr for d in dossier.service.documents.all()}
    stored = []
    for new in documents:
        upload = new.upload
        doc = Document(
            dossier=dossier,
            checklist_code=new.checklist_code,
            label=new.label or labels.get(new.checklist_code, "") or upload.file.name or "",
            original_name=(upload.file.name or "")[:255],
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=actor,
        )
        doc.file.save(
            f"{dossier.number}-{upload.sha256[:12]}.{upload.extension}", upload.file, save=False
        )
        doc.save()
        stored.append(doc)
    return stored


def unit_for_service(service: Service) -> UnitService:
    try:
        return UnitService.objects.select_related("unit").get(service_code=service.code)
    except UnitService.DoesNotExist:
        raise DossierError(
            f"Aucune unité n'est responsable du service « {service.name_fr} »."
        ) from None


@transaction.atomic
def dossier_file(
    *,
    service: Service,
    applicant: Applicant,
    actor: User | None,
    client: User | None = None,
    channel: Channel = Channel.ONLINE,
    received_on: date | None = None,
    documents: Sequence[NewDocument] = (),
    actor_label: str = "",
) -> Dossier:
    """Open a dossier. Online and API requests are received today; for mail and in-person
    requests the agent enters the real date of reception (postal delays never count)."""
    today = _today()
    received = received_on or today
    if received > today:
        raise DossierError("La date de réception ne peut pas être dans le futur.")
    if service.kind != ServiceKind.APPLICATION:
        raise DossierError(f"« {service.name_fr} » ne se demande pas par un dossier.")
    in_force = service.declaration.in_force_from <= received and (
        service.declaration.in_force_to is None or received <= service.declaration.in_force_to
    )
    if not in_force:
        raise DossierError("Ce service n'était pas offert à cette date de réception.")
    if not applicant.name.strip():
        raise DossierError("Le nom du demandeur est obligatoire.")
    owner = unit_for_service(service)
    dossier = Dossier.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        service=service,
        unit=owner.unit,
        client=client,
        applicant_name=applicant.name.strip(),
        applicant_email=applicant.email.strip(),
        postal_address=applicant.postal_address.strip(),
        birth_date=applicant.birth_date,
        passport_number=applicant.passport_number.strip(),
        channel=channel,
        received_on=received,
    )
    dossier.number = f"{received.year}-{dossier.pk:06d}"
    stored = _store_documents(dossier, documents, actor)
    _event(
        dossier,
        EventKind.RECEIVED,
        actor,
        on=received,
        actor_label=actor_label,
        channel=channel,
        documents=[d.pk for d in stored],
    )
    _save(dossier, "number")
    return dossier


@transaction.atomic
def dossier_assign(
    *, dossier: Dossier, agent: User, actor: User, expected_version: int | None = None
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if not Membership.objects.filter(user=agent, unit_id=dossier.unit_id).exists():
        raise DossierError(f"{agent} n'est pas membre de l'unité responsable de ce dossier.")
    if dossier.client_id == agent.pk:
        raise DossierError(
            f"{agent} est le client de ce dossier : il ne peut pas le traiter (conflit d'intérêts)."
        )
    dossier.assigned_to = agent
    _event(dossier, EventKind.ASSIGNED, actor, agent=agent.pk, agent_name=str(agent))
    _save(dossier, "assigned_to")
    return dossier


@transaction.atomic
def dossier_acknowledge(
    *, dossier: Dossier, actor: User, expected_version: int | None = None
) -> Letter:
    """Send the acknowledgment (the letter confirming the file is open)."""
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if dossier.events.filter(kind=EventKind.ACKNOWLEDGED).exists():
        raise DossierError("L'accusé de réception a déjà été envoyé.")
    event = _event(dossier, EventKind.ACKNOWLEDGED, actor)
    _save(dossier)
    expected = dossier.due_date  # the earliest due date of the running clocks, just cached
    return _letter(
        dossier,
        LetterKind.ACKNOWLEDGMENT,
        event,
        {
            "expected": expected,
            "officer": str(actor),
        },
    )


# What an incompleteness notice may ask for. Each asked item has a code, kept in the notice's
# details (`asked`) so that the answers to it can be matched: "doc:<checklist code>" for a
# document of the service's checklist, FEE_CODE for the fee, "item:<n>" for anything else the
# agent wrote (n from 1, in the notice's order).
FEE_CODE = "fee"


@dataclass(frozen=True)
class MissingItem:
    code: str
    label: str  # in French, as the letter says it

    @property
    def is_fee(self) -> bool:
        return self.code == FEE_CODE

    @property
    def checklist_code(self) -> str:
        """The checklist document this item asks for ("" for the fee or a free-text item)."""
        return self.code.removeprefix("doc:") if self.code.startswith("doc:") else ""


def incompleteness_candidates(dossier: Dossier) -> list[MissingItem]:
    """What an agent may ask for in an incompleteness notice: each document of the service's
    checklist of which no file was received (required ones first), then the fee while unpaid."""
    received = set(
        dossier.documents.exclude(checklist_code="").values_list("checklist_code", flat=True)
    )
    checklist = sorted(
        (d for d in dossier.service.documents.all() if d.code not in received),
        key=lambda d: (not d.required, d.position),
    )
    found = [MissingItem(f"doc:{d.code}", d.label_fr) for d in checklist]
    if dossier.fee_owed:
        found.append(MissingItem(FEE_CODE, FEE_ITEM))
    return found


def asked_items(notice: DossierEvent) -> list[MissingItem]:
    """The items an incompleteness notice asked for. Notices written before the items had codes
    list labels only: the fee is recognized by its label, the rest become free-text items."""
    asked = notice.details.get("asked")
    if isinstance(asked, list):
        return [
            MissingItem(str(a["code"]), str(a["label"]))
            for a in asked
            if isinstance(a, dict) and "code" in a and "label" in a
        ]
    return [
        MissingItem(FEE_CODE, label) if label == FEE_ITEM else MissingItem(f"item:{n}", label)
        for n, label in enumerate(notice.details.get("items", []), start=1)
    ]


def pending_notice(
    dossier: Dossier, events: Sequence[DossierEvent] | None = None
) -> DossierEvent | None:
    """The incompleteness notice the dossier is waiting on, if it is incomplete."""
    if dossier.state != DossierState.INCOMPLETE:
        return None
    history = list(events) if events is not None else list(dossier.events.order_by("seq"))
    return next((e for e in reversed(history) if e.kind == EventKind.INCOMPLETENESS_NOTICE), None)


def outstanding_items(
    dossier: Dossier, events: Sequence[DossierEvent] | None = None
) -> list[MissingItem]:
    """What the pending incompleteness notice asked for and has not arrived yet (nothing when
    the dossier is not incomplete). The clock resumes when this becomes empty."""
    history = list(events) if events is not None else list(dossier.events.order_by("seq"))
    notice = pending_notice(dossier, history)
    if notice is None:
        return []
    answered: set[str] = set()
    for event in history:
        if event.seq > notice.seq:
            answered.update(str(code) for code in event.details.get("answers", []) or [])
    return [
        item
        for item in asked_items(notice)
        if item.code not in answered and not (item.is_fee and not dossier.fee_owed)
    ]


def _items_to_ask(
    dossier: Dossier, codes: Sequence[str], items: Sequence[str]
) -> list[MissingItem]:
    """The items of a notice: those picked among the candidates, then those written out (a line
    that names a candidate is that candidate), then the unpaid fee; never none."""
    candidates = {c.code: c for c in incompleteness_candidates(dossier)}
    by_label = {c.label: c for c in candidates.values()}
    unknown = [code for code in codes if code not in candidates]
    if unknown:
        raise DossierError(
            "Cet élément ne peut pas être demandé : il a déjà été reçu ou n'existe pas pour ce "
            "service."
        )
    asked = [candidates[code] for code in dict.fromkeys(codes)]
    others = [line.strip() for line in items if line.strip()]
    if not asked and not others:
        raise DossierError(
            "Choisissez au moins un élément manquant ou décrivez-le : un avis vide n'est pas "
            "envoyé."
        )
    for n, label in enumerate(dict.fromkeys(others), start=1):
        known = by_label.get(label)
        item = known if known is not None else MissingItem(f"item:{n}", label)
        if item not in asked:
            asked.append(item)
    fee = candidates.get(FEE_CODE)
    if fee is not None and fee not in asked:
        asked.append(fee)
    return asked


@transaction.atomic
def dossier_request_items(
    *,
    dossier: Dossier,
    actor: User,
    codes: Sequence[str] = (),
    items: Sequence[str] = (),
    on: date | None = None,
    expected_version: int | None = None,
) -> Letter:
    """Send an incompleteness notice: the clock is suspended from its date until every item it
    asks for has arrived. `codes` picks among `incompleteness_candidates`; `items` adds what
    the checklist does not name (one line each). A notice that asks for nothing is refused; an
    unpaid fee is always among the items asked."""
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if dossier.state == DossierState.INCOMPLETE:
        raise DossierError("Un avis de dossier incomplet est déjà en attente de réponse.")
    asked = _items_to_ask(dossier, codes, items)
    day = on or _today()
    _check_not_before_reception(dossier, day)
    labels = [item.label for item in asked]
    event = _event(
        dossier,
        EventKind.INCOMPLETENESS_NOTICE,
        actor,
        on=day,
        items=labels,
        asked=[{"code": item.code, "label": item.label} for item in asked],
    )
    dossier.state = DossierState.INCOMPLETE
    _save(dossier, "state")
    return _letter(
        dossier,
        LetterKind.INCOMPLETENESS,
        event,
        incompleteness_letter_context(dossier, asked, day, str(actor)),
    )


def incompleteness_preview(
    *, dossier: Dossier, actor: User, codes: Sequence[str] = (), items: Sequence[str] = ()
) -> tuple[list[MissingItem], SafeString]:
    """What `dossier_request_items` would ask for and the French text of its letter, without
    sending anything (the agent reads it before it goes). Refused as the notice would be."""
    asked = _items_to_ask(dossier, codes, items)
    context = incompleteness_letter_context(dossier, asked, _today(), str(actor))
    return asked, render_letter_preview(LetterKind.INCOMPLETENESS, dossier, context)


def incompleteness_letter_context(
    dossier: Dossier, asked: Sequence[MissingItem], day: date, officer: str
) -> dict[str, Any]:
    """What the incompleteness letter says: the items, the fee's amount, the suspension."""
    return {
        "items": [item.label for item in asked],
        "fee_amount": dossier.service.fee_amount if any(item.is_fee for item in asked) else None,
        "suspended": day,
        "officer": officer,
    }


@transaction.atomic
def dossier_receive_items(
    *,
    dossier: Dossier,
    actor: User | None,
    received: Sequence[str] = (),
    documents: Sequence[NewDocument] = (),
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Some or all of the items asked for arrived (sent online by the client, each document
    answering its item, or recorded by an agent): `received` names the items by code, and a
    document answers the item of its `answers`. The fee is answered by its payment
    (`dossier_record_fee_payment`). While anything asked is still missing, the answer is
    recorded (`item_received`) and the clock stays suspended; with the last item,
    `items_received` is written and the clock resumes the next business day."""
    dossier = _lock(dossier, expected_version)
    if dossier.state != DossierState.INCOMPLETE:
        raise DossierError(_("Ce dossier n'attend aucun document manquant."))
    outstanding = {item.code: item for item in outstanding_items(dossier)}
    answering = list(dict.fromkeys([*received, *(d.answers for d in documents if d.answers)]))
    if not answering:
        raise DossierError(_("Indiquez au moins un des éléments demandés qui est reçu."))
    if any(code not in outstanding or outstanding[code].is_fee for code in answering):
        raise DossierError(
            _("Cet élément n'est pas attendu : il a déjà été reçu, ou il se règle autrement.")
        )
    day = on or _today()
    _check_not_before_reception(dossier, day)
    notice = pending_notice(dossier)
    if notice is not None and day < notice.occurred_on:
        raise DossierError(_("Cette date précède l'avis de dossier incomplet."))
    stored = _store_documents(dossier, documents, actor)
    remaining = [code for code in outstanding if code not in answering]
    _answer(
        dossier,
        actor,
        day,
        answering,
        remaining,
        documents=[d.pk for d in stored],
        note=note.strip(),
    )
    _save(dossier, "state")
    return dossier


def _answer(
    dossier: Dossier,
    actor: User | None,
    day: date,
    answering: Sequence[str],
    remaining: Sequence[str],
    **details: Any,
) -> None:
    """Record answers to the pending notice; the last one resumes the clock. The caller saves
    the dossier (its `state` may have changed)."""
    if remaining:
        _event(dossier, EventKind.ITEM_RECEIVED, actor, on=day, answers=list(answering), **details)
        return
    _event(dossier, EventKind.ITEMS_RECEIVED, actor, on=day, answers=list(answering), **details)
    dossier.state = DossierState.RECEIVED


@transaction.atomic
def dossier_add_documents(
    *,
    dossier: Dossier,
    documents: Sequence[NewDocument],
    actor: User | None,
    expected_version: int | None = None,
) -> list[Document]:
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if not documents:
        raise DossierError(_("Choisissez au moins un fichier."))
    stored = _store_documents(dossier, documents, actor)
    _event(dossier, EventKind.DOCUMENT_ADDED, actor, documents=[d.pk for d in stored])
    _save(dossier)
    return stored


@transaction.atomic
def dossier_record_fee_payment(
    *, dossier: Dossier, actor: User, on: date | None = None, expected_version: int | None = None
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    if not dossier.fee_owed:
        raise DossierError("Aucun frais n'est dû pour ce dossier.")
    day = on or _today()
    asked = [item.code for item in outstanding_items(dossier)]
    dossier.fee_paid_on = day
    _event(dossier, EventKind.FEE_PAID, actor, on=day, amount=str(dossier.service.fee_amount))
    if FEE_CODE in asked:
        # The fee was asked for by the pending notice: its payment answers it, and resumes the
        # clock when it was the last item missing.
        notice = pending_notice(dossier)
        answered_on = max(day, notice.occurred_on) if notice else day
        remaining = [code for code in asked if code != FEE_CODE]
        _answer(dossier, actor, answered_on, [FEE_CODE], remaining)
    _save(dossier, "fee_paid_on", "state")
    return dossier


@transaction.atomic
def dossier_notify_intention(
    *,
    dossier: Dossier,
    intended: Decision,
    reasons: str,
    actor: User,
    expected_version: int | None = None,
) -> Letter:
    """Notice of intention to refuse or reject, with reasons: the client may answer before a
    decision is made (no unfavourable decision without it)."""
    dossier = _lock(dossier, expected_version)
    _require_decidable(dossier)
    if intended not in (Decision.REFUSED, Decision.REJECTED):
        raise DossierError("Un avis d'intention annonce un refus ou un rejet.")
    if not reasons.strip():
        raise DossierError("Les motifs de l'avis d'intention sont obligatoires.")
    until = _today() + timedelta(days=OBSERVATIONS_DAYS)
    event = _event(
        dossier,
        EventKind.INTENTION_TO_REFUSE,
        actor,
        intended=intended,
        reasons=reasons.strip(),
        observations_until=until.isoformat(),
    )
    dossier.state = DossierState.INTENTION
    _save(dossier, "state")
    return _letter(
        dossier,
        LetterKind.INTENTION,
        event,
        {
            "intended": intended,
            "reasons": reasons.strip(),
            "observations_until": until,
            "officer": str(actor),
        },
    )


@transaction.atomic
def dossier_add_observations(
    *,
    dossier: Dossier,
    text: str,
    actor: User,
    documents: Sequence[NewDocument] = (),
    expected_version: int | None = None,
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    if dossier.state != DossierState.INTENTION:
        raise DossierError(_("Aucun avis d'intention n'attend vos observations."))
    if not text.strip():
        raise DossierError(_("Écrivez vos observations."))
    stored = _store_documents(dossier, documents, actor)
    _event(
        dossier, EventKind.OBSERVATIONS, actor, text=text.strip(), documents=[d.pk for d in stored]
    )
    _save(dossier)
    return dossier


@transaction.atomic
def dossier_decide(
    *,
    dossier: Dossier,
    decision: Decision,
    reasons: str,
    actor: User,
    expected_version: int | None = None,
) -> Letter:
    """Decide, once. A refusal or rejection needs a prior notice of intention."""
    dossier = _lock(dossier, expected_version)
    _require_decidable(dossier)
    if not reasons.strip():
        raise DossierError("Les motifs de la décision sont obligatoires.")
    if (
        decision != Decision.ACCEPTED
        and not dossier.events.filter(kind=EventKind.INTENTION_TO_REFUSE).exists()
    ):
        raise DossierError("Une décision défavorable doit être précédée d'un avis d'intention.")
    today = _today()
    event = _event(dossier, EventKind.DECIDED, actor, decision=decision, reasons=reasons.strip())
    dossier.state = DossierState.DECIDED
    dossier.decision = decision
    dossier.decided_on = today
    _save(dossier, "state", "decision", "decided_on")
    review_until = review_deadline(dossier)
    return _letter(
        dossier,
        LetterKind.DECISION,
        event,
        {
            "decision": decision,
            "reasons": reasons.strip(),
            "recourse": dossier.service.recourse_fr,
            "review_until": review_until,
            "officer": str(actor),
        },
    )


def review_deadline(dossier: Dossier) -> date | None:
    """The last day to ask for an administrative review, when the decision allows one."""
    service = dossier.service
    if (
        dossier.decision in (Decision.REFUSED, Decision.REJECTED)
        and dossier.decided_on
        and service.review_service_code
        and service.review_within_days
    ):
        return dossier.decided_on + timedelta(days=service.review_within_days)
    return None


@transaction.atomic
def dossier_request_review(
    *, dossier: Dossier, reasons: str, actor: User, expected_version: int | None = None
) -> Dossier:
    """Open the linked administrative-review dossier, within the allowed period."""
    dossier = _lock(dossier, expected_version)
    until = review_deadline(dossier)
    if until is None:
        raise DossierError(_("Cette décision ne peut pas faire l'objet d'une révision."))
    if _today() > until:
        raise DossierError(
            _("Le délai pour demander une révision a pris fin le %(day)s.")
            % {"day": date_format(until)}
        )
    if dossier.reviews.exists():
        raise DossierError(_("Une révision a déjà été demandée pour ce dossier."))
    if not reasons.strip():
        raise DossierError(_("Expliquez pourquoi vous demandez une révision."))
    review_service = Service.objects.get(
        declaration=dossier.service.declaration, code=dossier.service.review_service_code
    )
    review = dossier_file(
        service=review_service,
        applicant=Applicant(
            dossier.applicant_name,
            dossier.applicant_email,
            dossier.postal_address,
            dossier.birth_date,
            dossier.passport_number,
        ),
        actor=actor,
        client=dossier.client,
        channel=Channel.ONLINE,
    )
    review.parent = dossier
    _event(review, EventKind.REVIEW_REQUESTED, actor, of=dossier.number, reasons=reasons.strip())
    _save(review, "parent")
    _event(
        dossier, EventKind.REVIEW_REQUESTED, actor, review=review.number, reasons=reasons.strip()
    )
    _save(dossier)
    return review


@transaction.atomic
def dossier_withdraw(
    *, dossier: Dossier, actor: User, expected_version: int | None = None
) -> Dossier:
    """End the request at the client's own decision. Nobody else signs it for them: a
    consultant holding a mandate cannot (docs/mandates.md says why); staff record a
    withdrawal the client signed."""
    dossier = _lock(dossier, expected_version)
    if dossier.client_id is not None and actor.pk != dossier.client_id:
        if not is_staff_member(actor):
            raise DossierError(
                "Seul le client ou la cliente peut retirer sa demande : un retrait ne se fait "
                "pas par mandat."
            )
    _require_open(dossier)
    _event(dossier, EventKind.WITHDRAWN, actor)
    dossier.state = DossierState.WITHDRAWN
    _save(dossier, "state")
    return dossier


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


@transaction.atomic
def dossier_close(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    dossier = _lock(dossier, expected_version)
    if dossier.state in (DossierState.CLOSED, DossierState.WITHDRAWN):
        raise DossierError("Ce dossier est déjà fermé.")
    if dossier.is_open and not _stops_without_decision(dossier):
        raise DossierError("Rendez la décision avant de fermer le dossier.")
    _event(dossier, EventKind.CLOSED, actor)
    dossier.state = DossierState.CLOSED
    _save(dossier, "state")
    return dossier


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


def _lives_outside_quebec(dossier: Dossier) -> bool:
    """Whether the dossier's client is served in another language for living outside Québec."""
    if dossier.client is None:
        return False
    declaration = current_declaration(dossier.client)
    return declaration is not None and declaration.basis == LanguageBasis.OUTSIDE_QUEBEC


def _require_open(dossier: Dossier) -> None:
    if not dossier.is_open:
        raise DossierError(
            _("Ce dossier n'est plus en traitement (%(state)s).")
            % {"state": DossierState(dossier.state).label.lower()}
        )


def _require_decidable(dossier: Dossier) -> None:
    _require_open(dossier)
    if dossier.state == DossierState.INCOMPLETE:
        raise DossierError("Le dossier est incomplet : attendez les documents manquants.")
    if dossier.fee_owed:
        raise DossierError("Les frais exigés n'ont pas été acquittés.")


def _stops_without_decision(dossier: Dossier) -> bool:
    """Services such as French courses end with an event, not a decision."""
    stops = {c.stops_on for c in dossier.service.commitments.all()}
    done = set(dossier.events.values_list("kind", flat=True))
    return bool(stops) and stops <= done and EventKind.DECIDED not in stops


def _check_not_before_reception(dossier: Dossier, day: date) -> None:
    if day < dossier.received_on:
        raise DossierError("Cette date précède la date de réception du dossier.")
    if day > _today():
        raise DossierError("Cette date est dans le futur.")


LINK_CODE_MINUTES = 15
LINK_MAX_ATTEMPTS = 5


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"


def _code_hash(code: str, link_salt: str) -> str:
    return hashlib.sha256(f"{link_salt}:{code.strip()}".encode()).hexdigest()


@transaction.atomic
def dossier_link_start(*, user: User, number: str, birth_date: date) -> None:
    """Send a one-time code to the address on file when the number and the date of birth
    match a dossier that has no online account yet. Whatever happens, the caller shows the
    same neutral answer: nothing tells whether a dossier exists."""
    dossier = (
        Dossier.objects.select_for_update()
        .filter(number=number.strip(), client__isnull=True)
        .first()
    )
    if dossier is None or dossier.birth_date != birth_date or not dossier.applicant_email:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    LinkCode.objects.filter(dossier=dossier, user=user, used_at__isnull=True).update(
        attempts=LINK_MAX_ATTEMPTS
    )
    link = LinkCode.objects.create(
        dossier=dossier,
        user=user,
        code_hash="",
        expires_at=timezone.now() + timedelta(minutes=LINK_CODE_MINUTES),
    )
    link.code_hash = _code_hash(code, str(link.pk))
    link.save(update_fields=["code_hash"])
    address = dossier.applicant_email
    transaction.on_commit(
        lambda: send_mail(
            subject="Votre code pour lier un dossier à votre compte Guichet",
            message=(
                f"Bonjour,\n\nVoici votre code : {code}\nIl est valable {LINK_CODE_MINUTES} "
                "minutes. Si vous n'avez rien demandé, ignorez ce courriel : rien ne sera lié.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )


def dossier_link_confirm(*, user: User, number: str, code: str) -> LinkOutcome:
    """Link the dossier to `user` when the code is right, fresh and not used; count every
    wrong try (five end the code)."""
    with transaction.atomic():
        link = (
            LinkCode.objects.select_for_update()
            .filter(dossier__number=number.strip(), user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if link is None or link.expires_at < timezone.now() or link.attempts >= LINK_MAX_ATTEMPTS:
            return LinkOutcome.EXPIRED
        if not hmac.compare_digest(_code_hash(code, str(link.pk)), link.code_hash):
            link.attempts += 1
            link.save(update_fields=["attempts"])
            return LinkOutcome.WRONG_CODE
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        dossier = _lock(link.dossier, None)
        dossier.client = user
        _event(dossier, EventKind.ACCOUNT_LINKED, user)
        _save(dossier, "client")
    return LinkOutcome.LINKED


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
