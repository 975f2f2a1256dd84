"""The unit's worklist: which open dossiers, in which order, and how many of each kind.

Two things keep it fast with 100,000 open dossiers in a unit (docs/bench.md):
- **Counts from one grouped query, kept a short while.** The open dossiers of a unit are
  counted once, grouped by service, state, agent and flags (a few hundred groups, read from
  the covering index `worklist_open_covering` alone); the counts of any filter are summed from
  those groups, kept in the cache. That count grows with the unit's backlog (60 ms for
  104,000 open dossiers, 128 ms for 312,000 on a loaded machine), so a page never waits for it
  but in two cases: the first count, and the first page of an agent after their own action
  committed in this process (`forget_counts`), so that they see it counted at once. Counts
  older than `COUNTS_TTL` seconds, or older than a change made by someone else (another agent,
  a system through the API), are answered as they are while a thread counts again; another
  worker process may show counts up to `KEEP_AT_MOST` seconds old, and the page says when
  they were taken.
- **The page's ids first.** The keyset page is chosen on the covering index (ids and due
  dates only), then those 50 rows are loaded by primary key. Filtering on flags no longer reads
  the table for every overdue dossier that the `at_risk` filter skips.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import Unit, UnitService
from guichet.catalogue.models import Service
from guichet.catalogue.services import declaration_in_force
from guichet.dossiers.models import OPEN_STATES, Dossier, DossierState
from guichet.pagination import keyset_page

T = TypeVar("T")
logger = logging.getLogger(__name__)

PAGE_SIZE = 50
COUNTS_TTL = 30  # seconds

OVERDUE, AT_RISK, SUSPENDED = "overdue", "at_risk", "suspended"


@dataclass(frozen=True)
class Filters:
    """What the agent asked for; every field empty means the whole open set of the unit."""

    service: str = ""  # service code
    state: str = ""
    agent: str = ""  # a user id, "none" (unassigned) or ""
    flag: str = ""  # OVERDUE, AT_RISK, SUSPENDED or ""


@dataclass(frozen=True)
class Cursor:
    """Keyset position in the worklist: (due date or none, id)."""

    due: date | None
    pk: int

    @classmethod
    def parse(cls, raw: str) -> "Cursor | None":
        due_raw, _, pk_raw = raw.partition("_")
        try:
            due = None if due_raw == "none" else date.fromisoformat(due_raw)
            return cls(due, int(pk_raw))
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.due.isoformat() if self.due else 'none'}_{self.pk}"

    def after(self) -> Q:
        if self.due is None:
            return Q(due_date__isnull=True, pk__gt=self.pk)
        return (
            Q(due_date__gt=self.due)
            | Q(due_date=self.due, pk__gt=self.pk)
            | Q(due_date__isnull=True)
        )


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int
    at_risk: int
    suspended: int
    taken_at: datetime


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str


def unit_services(unit: Unit, today: date) -> dict[str, tuple[str, list[int]]]:
    """The unit's services: code → (name in the declaration in force, ids of that service in
    every declaration version). Kept `COUNTS_TTL` seconds: it changes when an administrator
    gives a service to a unit or a new declaration is loaded."""
    key = f"worklist:services:{unit.pk}:{today.isoformat()}"
    cached: dict[str, tuple[str, list[int]]] | None = cache.get(key)
    if cached is not None:
        return cached
    codes = list(UnitService.objects.filter(unit=unit).values_list("service_code", flat=True))
    declaration = declaration_in_force(on=today)
    names = dict(
        declaration.services.filter(code__in=codes).values_list("code", "name_fr")
        if declaration
        else []
    )
    ids: dict[str, list[int]] = {code: [] for code in codes}
    for pk, code in Service.objects.filter(code__in=codes).values_list("pk", "code"):
        ids[code].append(pk)
    found = {code: (names.get(code, code), ids[code]) for code in codes}
    cache.set(key, found, COUNTS_TTL)
    return found


def service_ids(unit: Unit, code: str, today: date) -> list[int]:
    """Ids of one of the unit's services in every declaration version."""
    return unit_services(unit, today).get(code, ("", []))[1]


def open_dossiers(
    unit: Unit, filters: Filters, today: date, own: list[int], *, service_id: int | None = None
) -> QuerySet[Dossier]:
    """The unit's open dossiers that `filters` select, less the viewer's `own`; with
    `service_id`, only those of that one version of the filtered service."""
    qs = Dossier.objects.filter(unit=unit, state__in=OPEN_STATES).exclude(pk__in=own)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    elif filters.service:
        qs = qs.filter(service_id__in=service_ids(unit, filters.service, today))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.agent == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif filters.agent:
        qs = qs.filter(assigned_to_id=int(filters.agent))
    if filters.flag == OVERDUE:
        qs = qs.filter(overdue_on__lte=today)
    elif filters.flag == AT_RISK:
        qs = qs.filter(at_risk_on__lte=today).exclude(overdue_on__lte=today)
    elif filters.flag == SUSPENDED:
        qs = qs.filter(due_date__isnull=True)
    return qs


# -- counts ---------------------------------------------------------------------------------


# When a dossier of a unit last changed in this process (time.monotonic()), by anyone and by
# each actor: (unit id, None) and (unit id, actor id). Marks older than KEEP_AT_MOST are
# dropped: counts that old are taken again anyway.
_changes: dict[tuple[int, int | None], float] = {}
_changes_lock = threading.Lock()


def forget_counts(unit_id: int, actor_id: int | None = None) -> None:
    """Called after a dossier of the unit changed in this process (on commit): the counts are
    taken again before `actor_id`'s next page, and in the background for everyone else."""
    now = time.monotonic()
    with _changes_lock:
        for mark, at in list(_changes.items()):
            if now - at > KEEP_AT_MOST:
                del _changes[mark]
        _changes[(unit_id, None)] = now
        if actor_id is not None:
            _changes[(unit_id, actor_id)] = now


def _changed_after(unit_id: int, taken: float, actor_id: int | None = None) -> bool:
    """Whether a dossier of the unit changed after `taken` (by `actor_id`, if given)."""
    return _changes.get((unit_id, actor_id), float("-inf")) >= taken


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _grouped(qs: QuerySet[Dossier], today: date) -> QuerySet[Any, dict[str, Any]]:
    """Open dossiers by service, state, agent and flags (the counts' groups)."""
    overdue = Q(overdue_on__lte=today)
    return (
        qs.filter(state__in=OPEN_STATES)
        .values("service_id", "state", "assigned_to_id")
        .annotate(
            is_overdue=_flag(overdue),
            is_at_risk=_flag(Q(at_risk_on__lte=today) & ~overdue),
            is_suspended=_flag(Q(due_date__isnull=True)),
        )
    )


GROUP_FIELDS = ("service_id", "state", "assigned_to_id", "is_overdue", "is_at_risk", "is_suspended")


def _kept(
    unit: Unit,
    what: str,
    today: date,
    compute: Callable[[], T],
    *,
    background: bool = False,
    viewer: int | None = None,
) -> T:
    """`compute()`, kept per unit and day, and taken again once it is `COUNTS_TTL` seconds old
    or a dossier of the unit changed in this process since (`forget_counts`). With
    `background`, a kept value not older than `KEEP_AT_MOST` is answered as it is while a
    thread of this process takes it again, unless `viewer` changed a dossier of the unit
    since: they must see their own action counted. Otherwise the request waits for it."""
    key = f"worklist:{what}:{unit.pk}:{today.isoformat()}"
    kept: tuple[T, float] | None = cache.get(key)
    now = time.monotonic()
    if kept is not None:
        value, taken = kept
        age = now - taken
        if age <= COUNTS_TTL and not _changed_after(unit.pk, taken):
            return value
        if (
            background
            and age <= KEEP_AT_MOST
            and not (viewer is not None and _changed_after(unit.pk, taken, viewer))
        ):
            _count_again_later(key, compute)
            return value
    value = compute()
    _keep(key, value, now)
    return value


def _keep(key: str, value: Any, taken: float) -> None:
    """Keep `value`, taken at `taken`, unless a value taken later is kept already (a count in
    the background may end after a count taken before answering)."""
    kept = cache.get(key)
    if kept is None or kept[1] <= taken:
        cache.set(key, (value, taken), KEEP_AT_MOST)


KEEP_AT_MOST = 5 * COUNTS_TTL  # seconds: older counts are taken again before answering
_counting: dict[str, threading.Thread] = {}
_counting_lock = threading.Lock()


def _count_again_later(key: str, compute: Callable[[], Any]) -> None:
    """Count again in a thread of this process (one per key at a time), with its own
    database connection, closed when done."""
    with _counting_lock:
        if key in _counting:
            return

        def work() -> None:
            try:
                started = time.monotonic()
                _keep(key, compute(), started)
            except DatabaseError:
                logger.warning("worklist counts: counting again failed", exc_info=True)
            finally:
                connection.close()  # this thread's own
                with _counting_lock:
                    _counting.pop(key, None)

        thread = threading.Thread(target=work, name="worklist-counts", daemon=True)
        _counting[key] = thread
    thread.start()


def counting_done(timeout: float = 10.0) -> None:
    """Wait for the counts being taken again in the background (tests, shutdown)."""
    with _counting_lock:
        threads = list(_counting.values())
    for thread in threads:
        thread.join(timeout)


def _groups(unit: Unit, today: date, viewer: int) -> tuple[list[dict[str, Any]], datetime]:
    def compute() -> tuple[list[dict[str, Any]], datetime]:
        grouped = _grouped(Dossier.objects.filter(unit=unit), today)
        groups = list(grouped.values(*GROUP_FIELDS).annotate(n=Count("pk")).order_by())
        return groups, timezone.now()

    return _kept(unit, "groups", today, compute, background=True, viewer=viewer)


def _own(unit: Unit, viewer: int, today: date) -> list[dict[str, Any]]:
    """The viewer's own open dossiers in the unit, one group each: nobody works on their own
    dossier, so the worklist neither lists nor counts them. Almost always none; kept like the
    counts."""

    def compute() -> list[dict[str, Any]]:
        mine = _grouped(Dossier.objects.filter(unit=unit, client_id=viewer), today)
        return [{**group, "n": 1} for group in mine.values("pk", *GROUP_FIELDS).order_by()]

    return _kept(unit, f"own:{viewer}", today, compute)


def _matches(group: dict[str, Any], filters: Filters, services: set[int] | None) -> bool:
    if services is not None and group["service_id"] not in services:
        return False
    if filters.state and group["state"] != filters.state:
        return False
    if filters.agent == "none" and group["assigned_to_id"] is not None:
        return False
    if filters.agent not in ("", "none") and str(group["assigned_to_id"]) != filters.agent:
        return False
    flag_field = {OVERDUE: "is_overdue", AT_RISK: "is_at_risk", SUSPENDED: "is_suspended"}
    return not filters.flag or bool(group[flag_field[filters.flag]])


def counts(unit: Unit, filters: Filters, today: date, *, viewer: int) -> Counts:
    """How many open dossiers of the unit the filters select, without the viewer's own."""
    groups, taken_at = _groups(unit, today, viewer)
    services = set(service_ids(unit, filters.service, today)) if filters.service else None

    def total(among: list[dict[str, Any]], flag: str = "") -> int:
        return sum(
            g["n"] for g in among if _matches(g, filters, services) and (not flag or g[flag])
        )

    own = _own(unit, viewer, today)

    def shown(flag: str = "") -> int:
        return total(groups, flag) - total(own, flag)

    return Counts(
        total=shown(),
        overdue=shown("is_overdue"),
        at_risk=shown("is_at_risk"),
        suspended=shown("is_suspended"),
        taken_at=taken_at,
    )


# -- the page -------------------------------------------------------------------------------


def _state_labels() -> dict[str, str]:
    return {state.value: str(state.label) for state in DossierState}


def _keys(
    unit: Unit, filters: Filters, today: date, cursor: Cursor | None, own: list[int]
) -> QuerySet[Dossier, tuple[int, date | None]]:
    """(id, due date) of the dossiers after `cursor`, in due-date order, without `own`.

    Each part below is one ordered range of an index, and PostgreSQL merges the ranges of a
    UNION ALL in order, reading only as far as the page needs: a filter whose dossiers come
    last (a state or a service whose dossiers have no due date) never walks past the whole
    backlog before them, however big it is (docs/bench.md)."""
    order = (F("due_date").asc(nulls_last=True), "pk")
    # The filtered service in each declaration version (`worklist_open_service`), one range
    # each: an IN list of versions would read and sort all their open dossiers.
    versions: list[int | None] = (
        list(service_ids(unit, filters.service, today)) if filters.service else [None]
    )
    parts = []
    for version in versions:
        if filters.flag != AT_RISK:
            qs = open_dossiers(unit, filters, today, own, service_id=version)
            parts.append(qs.filter(cursor.after()) if cursor else qs)
            continue
        # At risk: not overdue yet (overdue on a later day, or no overdue day while
        # suspended). Walking the due-date index would pass every overdue dossier first (they
        # come earliest); two ranges of `worklist_open_risk` find the at-risk ones directly.
        base = open_dossiers(
            unit, replace(filters, flag=""), today, own, service_id=version
        ).filter(at_risk_on__lte=today)
        if cursor:
            base = base.filter(cursor.after())
        parts += [base.filter(overdue_on__gt=today), base.filter(overdue_on__isnull=True)]
    if not parts:  # a service of the unit in no declaration
        return Dossier.objects.none().values_list("pk", "due_date")
    keys = [part.values_list("pk", "due_date") for part in parts]
    if len(keys) == 1:
        return keys[0].order_by(*order)
    return keys[0].union(*keys[1:], all=True).order_by(*order)


def page(unit: Unit, filters: Filters, today: date, cursor: Cursor | None, *, viewer: int) -> Page:
    """A page of the unit's open dossiers for `viewer`, never listing their own."""
    own = [g["pk"] for g in _own(unit, viewer, today)]
    keys = keyset_page(
        _keys(unit, filters, today, cursor, own), PAGE_SIZE, lambda key: str(Cursor(key[1], key[0]))
    )
    return Page(rows=rows([pk for pk, _ in keys.items], today), next_cursor=keys.next_cursor)


def rows(ids: Iterable[int], today: date) -> list[dict[str, Any]]:
    """The rows to show, in the order of `ids`, as plain values (no model instances, no
    per-row lookups)."""
    ids = list(ids)
    loaded = {
        values[0]: values
        for values in Dossier.objects.filter(pk__in=ids).values_list(
            "pk",
            "number",
            "state",
            "received_on",
            "due_date",
            "at_risk_on",
            "overdue_on",
            "service__name_fr",
            "assigned_to__full_name",
            "assigned_to__email",
        )
    }
    labels = _state_labels()
    prefix = reverse("office:dossier", args=["0"])[: -len("0/")]
    out = []
    for pk in ids:
        _, number, state, received_on, due, at_risk_on, overdue_on, service, name, email = loaded[
            pk
        ]
        overdue = overdue_on is not None and overdue_on <= today
        at_risk = not overdue and at_risk_on is not None and at_risk_on <= today
        out.append(
            {
                "number": number,
                "url": f"{prefix}{number}/",
                "due_date": due.isoformat() if due else "",
                "received_on": received_on.isoformat(),
                "service": service,
                "state": labels.get(state, state),
                "agent": name or email or "",  # as User.__str__; "" when unassigned
                "overdue": overdue,
                "at_risk": at_risk,
            }
        )
    return out
