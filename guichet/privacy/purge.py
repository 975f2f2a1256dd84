"""The retention purge: what the calendar says is due on a date, and doing it.

`purge_plan` only reads. `purge_apply` does the whole plan in one transaction, lifting the
append-only guards for that transaction only (guichet/append_only.py, guichet/audit/db.py):
each app's own services destroy or anonymize its rows (guichet/dossiers/retention.py,
guichet/accounts/retention.py; the requests here), each writing one access-log entry.
Nothing under a legal hold in force is touched. Files are removed from storage once the
transaction has committed, so a failed purge leaves every file where its row says it is.

When a record's period ends
    dossiers, documents, letters: the end of the dossier, i.e. its decision date, or the date
    of its `closed` or `withdrawn` event when that is later; open dossiers never end. A dossier
    waits for its review dossiers (they continue the same case).
    requests for access or rectification, with their history and files: the answer (the
    last answering step); a request not answered yet never ends.
    accounts: the last log-in (or the sign-up, for an account never used), for client
    accounts only (no unit, no role, no API token) that no longer own a dossier.
    complaints: the answer (a comment left without an answer: its reception); a complaint
    not answered yet never ends (guichet/complaints/retention.py).
    survey invitations: the day it was sent (guichet/surveys/retention.py).
    referrals: the day of the referral (guichet/referrals/retention.py).
    access log: the moment the entry was written.

The last three kinds belong to apps this one cannot import: they register with
guichet/retention.py, and the purge calls them after checking the legal holds.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from guichet.accounts.models import ANONYMIZED, ANONYMIZED_EMAIL_DOMAIN, Membership, RoleGrant, User
from guichet.accounts.retention import user_anonymize
from guichet.append_only import purge_writable
from guichet.audit import chain
from guichet.audit.db import access_log_deletable
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.dossiers import retention
from guichet.dossiers.models import (
    Document,
    Dossier,
    DossierState,
    EventKind,
    Letter,
)
from guichet.privacy.models import (
    ANSWER_EVENTS,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestFile,
    LegalHold,
)
from guichet.privacy.retention import RecordKind, RetentionAction, RetentionCalendar, Rule
from guichet.retention import Due, Retained, retained

logger = logging.getLogger(__name__)

ACTOR_LABEL = "guichet purge"
ENDED_STATES = (DossierState.DECIDED, DossierState.WITHDRAWN, DossierState.CLOSED)


@dataclass
class Item:
    """One record the calendar makes due: what to print, and the record itself."""

    label: str
    record: Any
    held: bool = False
    done: bool = False
    refusal: str = ""


@dataclass
class KindPlan:
    rule: Rule
    items: list[Item] = field(default_factory=list)
    # The access log is counted, not listed.
    count: int = 0
    held_count: int = 0

    @property
    def due(self) -> list[Item]:
        return [i for i in self.items if not i.held]

    @property
    def due_count(self) -> int:
        return self.count if self.rule.kind == RecordKind.ACCESS_LOG else len(self.due)

    @property
    def held_total(self) -> int:
        held = sum(1 for i in self.items if i.held)
        return self.held_count if self.rule.kind == RecordKind.ACCESS_LOG else held


@dataclass
class PurgePlan:
    as_of: date
    calendar: RetentionCalendar
    kinds: list[KindPlan]


@dataclass(frozen=True)
class Holds:
    dossier_ids: frozenset[int]
    person_ids: frozenset[int]
    numbers: frozenset[str]
    emails: frozenset[str] = frozenset()

    def covers(self, dossier: Dossier) -> bool:
        return dossier.pk in self.dossier_ids

    def covers_due(self, due: Due) -> bool:
        """A record of another app (guichet/retention.py): held when a hold names one of its
        people (account or e-mail address) or its dossier."""
        return bool(
            due.person_ids & self.person_ids
            or due.emails & self.emails
            or due.dossier_ids & self.dossier_ids
            or due.dossier_numbers & self.numbers
        )


def _holds() -> Holds:
    active = LegalHold.objects.filter(lifted_at__isnull=True)
    person_ids = set(
        active.filter(person__isnull=False).values_list("person_id", flat=True).distinct()
    )
    emails = list(User.objects.filter(pk__in=person_ids).values_list("email", flat=True))
    email_match = Q()
    for email in emails:
        email_match |= Q(applicant_email__iexact=email)
    held = Dossier.objects.filter(
        Q(pk__in=active.filter(dossier__isnull=False).values("dossier_id"))
        | Q(client_id__in=person_ids)
        | (email_match if emails else Q(pk__in=[]))
    )
    direct = set(held.values_list("pk", flat=True))
    # A review continues its dossier's case: a hold on one keeps the other too.
    family = set(
        Dossier.objects.filter(Q(parent_id__in=direct) | Q(reviews__in=direct)).values_list(
            "pk", flat=True
        )
    )
    ids = direct | family
    numbers = set(Dossier.objects.filter(pk__in=ids).values_list("number", flat=True))
    return Holds(
        frozenset(ids),
        frozenset(person_ids),
        frozenset(numbers),
        frozenset(e.lower() for e in emails),
    )


def ended_dossiers() -> QuerySet[Dossier]:
    """Dossiers that have ended, annotated with `ended_on`."""
    closing = Max(
        "events__occurred_on",
        filter=Q(events__kind__in=[EventKind.CLOSED, EventKind.WITHDRAWN]),
    )
    return (
        Dossier.objects.filter(state__in=ENDED_STATES)
        .annotate(closing_on=closing)
        .annotate(
            # Greatest of two nullable dates, NULL only when both are (SQLite's MAX(a, b) is
            # NULL as soon as one is).
            ended_on=Greatest(
                Coalesce("closing_on", "decided_on"), Coalesce("decided_on", "closing_on")
            )
        )
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _after(day: date) -> datetime:
    """The first instant after `day` (local time): records of that day are before it."""
    return _start_of(day + timedelta(days=1))


def _dossier_plan(rule: Rule, as_of: date, holds: Holds) -> KindPlan:
    plan = KindPlan(rule)
    ended = {d.pk: d for d in ended_dossiers().filter(Q(ended_on__lte=rule.cutoff(as_of)))}
    # A dossier waits for its reviews: each must itself be due (or gone).
    reviews: dict[int, list[int]] = {}
    for pk, parent_id in Dossier.objects.filter(parent_id__in=list(ended)).values_list(
        "pk", "parent_id"
    ):
        reviews.setdefault(parent_id, []).append(pk)
    waiting = {pk for pk, kids in reviews.items() if any(k not in ended for k in kids)}
    # Reviews first, so that a dossier is destroyed after the reviews that point to it.
    ordered = sorted(ended.values(), key=lambda d: (d.parent_id is None, d.number))
    for dossier in ordered:
        if dossier.pk in waiting:
            continue
        if rule.action == RetentionAction.ANONYMIZE and dossier.applicant_name == ANONYMIZED:
            continue
        plan.items.append(Item(f"dossier {dossier.number}", dossier, held=holds.covers(dossier)))
    return plan


def _files_plan(
    rule: Rule, as_of: date, holds: Holds, model: type[Document] | type[Letter]
) -> KindPlan:
    plan = KindPlan(rule)
    ended = ended_dossiers().filter(Q(ended_on__lte=rule.cutoff(as_of))).values("pk")
    noun = "document" if model is Document else "lettre"
    records: Iterable[Document | Letter] = (
        model.objects.filter(dossier__in=ended).select_related("dossier").order_by("pk")
    )
    for record in records:
        plan.items.append(
            Item(
                f"{noun} n° {record.pk} (dossier {record.dossier.number})",
                record,
                held=holds.covers(record.dossier),
            )
        )
    return plan


def _request_held(request: InfoRequest, holds: Holds) -> bool:
    return request.person_id in holds.person_ids or request.dossier_number in holds.numbers


def _requests_plan(rule: Rule, as_of: date, holds: Holds) -> KindPlan:
    plan = KindPlan(rule)
    answered = Max("events__occurred_on", filter=Q(events__kind__in=ANSWER_EVENTS))
    requests = (
        InfoRequest.objects.annotate(answered_on=answered)
        .filter(answered_on__lte=rule.cutoff(as_of))
        .order_by("pk")
    )
    for request in requests:
        plan.items.append(
            Item(f"demande {request.reference}", request, held=_request_held(request, holds))
        )
    return plan


def client_accounts() -> QuerySet[User]:
    """Accounts of clients only: not staff, not administrators, not service accounts."""
    return User.objects.filter(is_staff=False, is_superuser=False).exclude(
        Q(pk__in=Membership.objects.values("user_id"))
        | Q(pk__in=RoleGrant.objects.values("user_id"))
        | Q(api_tokens__isnull=False)
    )


def _accounts_plan(rule: Rule, as_of: date, holds: Holds) -> KindPlan:
    plan = KindPlan(rule)
    accounts = (
        client_accounts()
        .exclude(email__endswith=f"@{ANONYMIZED_EMAIL_DOMAIN}")
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=_after(rule.cutoff(as_of)))
        .exclude(pk__in=Dossier.objects.filter(client__isnull=False).values("client_id"))
        .order_by("pk")
    )
    for user in accounts:
        plan.items.append(Item(f"compte n° {user.pk}", user, held=user.pk in holds.person_ids))
    return plan


def _access_log_plan(rule: Rule, as_of: date, holds: Holds) -> KindPlan:
    old = AccessLog.objects.filter(at__lt=_after(rule.cutoff(as_of)))
    due = _unheld_log(old, holds)
    plan = KindPlan(rule, count=due.count())
    plan.held_count = old.count() - plan.count
    return plan


def _unheld_log(qs: QuerySet[AccessLog], holds: Holds) -> QuerySet[AccessLog]:
    """Rows not under a hold. A purge's own checkpoint rows are kept too: they name no one,
    and the chain's verification needs them (chain.py)."""
    return (
        qs.exclude(person_id__in=holds.person_ids)
        .exclude(subject_number__in=holds.numbers)
        .filter(checkpoint="")
    )


def _unheld_row(row: tuple[Any, ...], before: datetime, holds: Holds) -> bool:
    """`_unheld_log` and the cutoff, for one row (at, person_id, subject_number, checkpoint)."""
    at, person_id, number, checkpoint = row
    return (
        at < before
        and person_id not in holds.person_ids
        and number not in holds.numbers
        and not checkpoint
    )


def _registered(rule: Rule) -> Retained:
    handler = retained(rule.kind.value)
    if handler is None:
        raise RuntimeError(f"no app registered the retention of {rule.kind.value}")
    return handler


def _registered_plan(rule: Rule, as_of: date, holds: Holds) -> KindPlan:
    """A kind kept by another app, through the registry (guichet/retention.py)."""
    plan = KindPlan(rule)
    for due in _registered(rule).due(rule.cutoff(as_of), rule.action.value):
        plan.items.append(Item(due.label, due, held=holds.covers_due(due)))
    return plan


def purge_plan(calendar: RetentionCalendar, as_of: date) -> PurgePlan:
    """What the calendar makes due on `as_of`, kind by kind (reads only)."""
    holds = _holds()
    kinds = []
    for kind in RecordKind:
        rule = calendar[kind]
        if kind == RecordKind.DOSSIERS:
            kinds.append(_dossier_plan(rule, as_of, holds))
        elif kind == RecordKind.DOCUMENTS:
            kinds.append(_files_plan(rule, as_of, holds, Document))
        elif kind == RecordKind.LETTERS:
            kinds.append(_files_plan(rule, as_of, holds, Letter))
        elif kind == RecordKind.REQUESTS:
            kinds.append(_requests_plan(rule, as_of, holds))
        elif kind == RecordKind.ACCOUNTS:
            kinds.append(_accounts_plan(rule, as_of, holds))
        elif kind != RecordKind.ACCESS_LOG:
            kinds.append(_registered_plan(rule, as_of, holds))
        else:
            kinds.append(_access_log_plan(rule, as_of, holds))
    return PurgePlan(as_of, calendar, kinds)


# --- Doing it -------------------------------------------------------------------------------


def _why(rule: Rule, detail: str = "") -> str:
    return f"calendrier de conservation : {rule.kind.value}, {rule.summary}" + (
        f" ({detail})" if detail else ""
    )


def _log(
    action: AccessAction,
    kind: SubjectKind,
    why: str,
    *,
    subject_id: int | None,
    number: str = "",
    person: int | None = None,
    checkpoint: str = "",
) -> None:
    access_log_system_entry(
        action=action,
        subject_kind=kind,
        why=why,
        actor_label=ACTOR_LABEL,
        subject_id=subject_id,
        subject_number=number,
        person=person,
        checkpoint=checkpoint,
    )


def _staff_ids() -> set[int]:
    return set(Membership.objects.values_list("user_id", flat=True)) | set(
        RoleGrant.objects.values_list("user_id", flat=True)
    )


def _remove_file_after_commit(record: InfoRequestFile) -> None:
    storage, name = record.file.storage, record.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _destroy_request(request: InfoRequest, rule: Rule) -> None:
    """The request, its history and its files (letters, exports), removed from storage once
    the transaction commits; the access log keeps that it was destroyed."""
    pk, number, person_id = request.pk, request.dossier_number, request.person_id
    for record in InfoRequestFile.objects.filter(request_id=pk):
        _remove_file_after_commit(record)
    InfoRequestFile.objects.filter(request_id=pk).delete()
    InfoRequestEvent.objects.filter(request_id=pk).delete()
    InfoRequest.objects.filter(pk=pk).delete()
    _log(
        AccessAction.DESTROY,
        SubjectKind.INFO_REQUEST,
        _why(rule, request.reference),
        subject_id=pk,
        number=number,
        person=person_id,
    )


@transaction.atomic
def purge_apply(plan: PurgePlan) -> PurgePlan:
    """Do everything `plan` lists as due, in one transaction; mark each item done (or say
    why it was refused). Returns the same plan."""
    holds = _holds()  # again, inside the transaction: a hold placed since the plan counts
    staff = _staff_ids()
    with purge_writable():
        for kind_plan in plan.kinds:
            rule = kind_plan.rule
            if rule.kind == RecordKind.ACCESS_LOG:
                _purge_access_log(kind_plan, plan.as_of, holds)
                continue
            for item in kind_plan.due:
                record = item.record
                if isinstance(record, Due):
                    if holds.covers_due(record):
                        item.held = True
                        continue
                    item.done = _registered(rule).apply(
                        record.record,
                        action=rule.action.value,
                        why=_why(rule, record.label),
                        actor_label=ACTOR_LABEL,
                        staff_ids=staff,
                    )
                    continue
                if isinstance(record, Dossier) and holds.covers(record):
                    item.held = True
                    continue
                if isinstance(record, Document | Letter):
                    if holds.covers(record.dossier):
                        item.held = True
                        continue
                    if not type(record).objects.filter(pk=record.pk).exists():
                        continue  # gone since the plan was made
                    if isinstance(record, Document):
                        retention.document_destroy(
                            document=record, why=_why(rule), actor_label=ACTOR_LABEL
                        )
                    else:
                        retention.letter_destroy(
                            letter=record, why=_why(rule), actor_label=ACTOR_LABEL
                        )
                elif isinstance(record, InfoRequest):
                    if _request_held(record, holds):
                        item.held = True
                        continue
                    if not InfoRequest.objects.filter(pk=record.pk).exists():
                        continue  # gone since the plan was made
                    _destroy_request(record, rule)
                elif isinstance(record, User):
                    if record.pk in holds.person_ids:
                        item.held = True
                        continue
                    user_anonymize(user=record, why=_why(rule), actor_label=ACTOR_LABEL)
                elif rule.action == RetentionAction.ANONYMIZE:
                    retention.dossier_anonymize(
                        dossier=record, why=_why(rule), actor_label=ACTOR_LABEL, staff_ids=staff
                    )
                else:
                    try:
                        retention.dossier_destroy(
                            dossier=record, why=_why(rule), actor_label=ACTOR_LABEL
                        )
                    except ProtectedError as exc:
                        item.refusal = "encore référencé par " + ", ".join(
                            sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
                        )
                        continue
                item.done = True
    # Counts only: a log line never names a person or a record.
    logger.info("purge au %s : %s", plan.as_of.isoformat(), plan_counts(plan, done=True))
    return plan


def plan_counts(plan: PurgePlan, *, done: bool) -> str:
    parts = []
    for k in plan.kinds:
        if k.rule.kind == RecordKind.ACCESS_LOG:
            count = k.count
        else:
            count = sum(1 for i in k.items if i.done) if done else k.due_count
        parts.append(f"{k.rule.kind.value} {count}")
    return ", ".join(parts)


def _purge_access_log(kind_plan: KindPlan, as_of: date, holds: Holds) -> None:
    rule = kind_plan.rule
    before = _after(rule.cutoff(as_of))
    due = _unheld_log(AccessLog.objects.filter(at__lt=before), holds)
    runs = _removed_runs(before, holds)
    with access_log_deletable(before):
        deleted, _ = due.delete()
    if deleted != sum(run.count for run in runs):
        raise RuntimeError("the access log changed while the purge read it")
    kind_plan.count = deleted
    if deleted:
        _log(
            AccessAction.DESTROY,
            SubjectKind.ACCESS_LOG,
            _why(rule, f"{deleted} entrée(s) inscrite(s) au plus tard le {rule.cutoff(as_of)}"),
            subject_id=None,
            checkpoint=chain.checkpoint_text(runs),
        )


def _removed_runs(before: datetime, holds: Holds) -> list[chain.RemovedRun]:
    """What the purge is about to remove, as runs of each lane of the chain, read in one pass
    up to the newest row it removes."""
    newest = (
        AccessLog.objects.filter(at__lt=before).order_by("-id").values_list("id", flat=True).first()
    )
    if newest is None:
        return []
    stream = (
        AccessLog.objects.filter(id__lte=newest)
        .order_by("id")
        .values_list(
            "id",
            "lane",
            "previous_hash",
            "row_hash",
            "at",
            "person_id",
            "subject_number",
            "checkpoint",
        )
        .iterator(chunk_size=5000)
    )
    return chain.removed_runs(
        (row[0], row[1], row[2], row[3], _unheld_row(row[4:], before, holds)) for row in stream
    )
