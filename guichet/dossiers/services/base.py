"""What every dossier service shares: the errors, the row lock with its version check, the
event and its audit entry, the clock caches, letters and stored documents."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.language import current_declaration
from guichet.accounts.models import LanguageBasis, User
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_record
from guichet.calendars.services import business_calendar
from guichet.clock import BusinessCalendar
from guichet.dossiers import worklist
from guichet.dossiers.clocks import DerivedClock, apply_caches, derive_clocks
from guichet.dossiers.letters import letter_title, render_letter_pdf
from guichet.dossiers.models import (
    Document,
    Dossier,
    DossierClock,
    DossierEvent,
    DossierState,
    EventKind,
    Letter,
    LetterKind,
)
from guichet.dossiers.uploads import CheckedUpload


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
    first: bool = False,
    **details: Any,
) -> DossierEvent:
    # The first event of a dossier just created is number 1: no need to ask.
    last = 0 if first else dossier.events.order_by("-seq").values_list("seq", flat=True).first()
    event = DossierEvent.objects.create(
        dossier=dossier,
        seq=(last or 0) + 1,
        kind=kind,
        occurred_on=on or _today(),
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else "système"),
        details=details,
    )
    _log_change(dossier=dossier, kind=kind, actor=actor, actor_label=actor_label)
    unit_id, actor_id = dossier.unit_id, actor.pk if actor else None
    transaction.on_commit(lambda: worklist.forget_counts(unit_id, actor_id))
    return event


def refresh_clocks(
    dossier: Dossier,
    events: Sequence[DossierEvent] | None = None,
    *,
    fresh: bool = False,
    cal: BusinessCalendar | None = None,
) -> list[DerivedClock]:
    """Rewrite the clock caches of `dossier` from its events (inside the caller's transaction).
    A caller that holds all the events passes them; `fresh` says the dossier was created in
    this transaction, so it has no cached clock to delete yet; `cal`, the business calendar
    the caller already holds (read here otherwise)."""
    if events is None:
        events = list(dossier.events.all())
    clocks = derive_clocks(cal or business_calendar(), dossier, events)
    if not fresh:
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


def _save(
    dossier: Dossier,
    *fields: str,
    events: Sequence[DossierEvent] | None = None,
    fresh: bool = False,
    cal: BusinessCalendar | None = None,
) -> list[DerivedClock]:
    clocks = refresh_clocks(dossier, events, fresh=fresh, cal=cal)
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
    if not documents:
        return []
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
