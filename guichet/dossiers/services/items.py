"""Missing items: which checklist items are missing (a document never received, the fee
unpaid), the incompleteness notice that asks for them and suspends the clock, each item as it
comes in, and the clock resumed when the last one asked is in."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.dossiers.letters import render_letter_preview
from guichet.dossiers.models import (
    Document,
    Dossier,
    DossierEvent,
    DossierState,
    EventKind,
    Letter,
    LetterKind,
)
from guichet.dossiers.services.base import (
    DossierError,
    NewDocument,
    _check_not_before_reception,
    _event,
    _letter,
    _lock,
    _require_open,
    _save,
    _store_documents,
    _today,
)

FEE_ITEM = "Paiement des frais exigés"


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
