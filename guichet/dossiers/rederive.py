"""The clock caches re-derived from the events: `guichet rederive-clocks`, and the background
re-derivation that follows a change of the closure calendar.

The due dates, at-risk and overdue days kept on each dossier (and its `DossierClock` rows) are
caches for the worklist, rewritten with each event. A change of the calendar moves them without
an event: the worklist sees the calendar's new stamp (`clock_caches_follow_calendar`), records
a `ClockRefresh` and queues one task that checks every dossier, the open ones first, and
rewrites those that differ, each under its row lock. Rewriting a cache is not an action on the
dossier: its version does not change, so an agent's open form stays valid.

This module is the re-derivation's own: it decides and compares, keeps the bookkeeping of each
re-derivation (the `clock_refresh_*` services) and defines the background task; a dossier's
caches are rewritten through `dossier_rederive_clocks` (guichet/dossiers/services/base.py).
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from guichet.calendars.services import business_calendar, current_calendar
from guichet.clock import BusinessCalendar
from guichet.dossiers import worklist
from guichet.dossiers.clocks import derive_clocks, dossier_caches
from guichet.dossiers.models import OPEN_STATES, ClockRefresh, Dossier, DossierClock
from guichet.dossiers.services import dossier_rederive_clocks

CHUNK = 500

Report = Callable[[Dossier, list[str]], None]


def clock_caches_check(
    *, fix: bool, dossiers: QuerySet[Dossier] | None = None, report: Report | None = None
) -> tuple[int, int]:
    """Compare the caches of `dossiers` (all by default) with what their events give under
    the calendar as it is now; `report` hears of each difference, `fix` rewrites. Returns
    (checked, differing)."""
    cal = business_calendar()
    base = Dossier.objects.all() if dossiers is None else dossiers
    checked = differing = 0
    last = 0
    while True:
        chunk = list(
            base.filter(pk__gt=last).order_by("pk").prefetch_related("events", "clocks")[:CHUNK]
        )
        if not chunk:
            return checked, differing
        for dossier in chunk:
            checked += 1
            problems = clock_cache_differences(cal, dossier)
            if problems:
                differing += 1
                if report is not None:
                    report(dossier, problems)
                if fix:
                    dossier_rederive_clocks(dossier_id=dossier.pk)
        last = chunk[-1].pk


def clock_cache_differences(cal: BusinessCalendar, dossier: Dossier) -> list[str]:
    """What differs between the dossier's caches and its clocks derived from its events, in
    words (empty when they agree)."""
    clocks = derive_clocks(cal, dossier, list(dossier.events.all()))
    expected = dataclasses.asdict(dossier_caches(dossier, clocks))
    problems = [
        f"{name} {getattr(dossier, name)} au lieu de {value}"
        for name, value in expected.items()
        if getattr(dossier, name) != value
    ]
    stored = {c.commitment_id: c for c in dossier.clocks.all()}
    for c in clocks:
        row: DossierClock | None = stored.get(c.commitment.pk)
        derived = (
            c.started_on,
            c.stopped_on,
            c.due_date,
            c.at_risk_on,
            c.overdue_on,
            c.outcome or "",
        )
        if row is None:
            problems.append(f"délai {c.commitment.code} absent")
        elif (
            row.started_on,
            row.stopped_on,
            row.due_date,
            row.at_risk_on,
            row.overdue_on,
            row.outcome,
        ) != derived:
            problems.append(
                f"délai {c.commitment.code} : échéance {row.due_date} au lieu de {c.due_date}"
            )
    return problems


def clock_caches_follow_calendar() -> ClockRefresh | None:
    """The re-derivation for the calendar as it is now: asked for, and queued once the
    transaction commits, the first time a new version of the calendar is seen. The first
    version a database sees is its baseline (nothing to re-derive). None while no calendar is
    recorded (the calendar file alone, before `load-calendar`)."""
    stamp, _ = current_calendar()
    if stamp == "file":
        return None
    found = ClockRefresh.objects.filter(stamp=stamp).first()
    if found is not None:
        return found
    return clock_refresh_request(stamp=stamp)


def clock_caches_rederive(refresh: ClockRefresh) -> ClockRefresh:
    """Run a re-derivation asked for: the open dossiers first (the worklist's), then the
    others; recorded on `refresh` when done. Nothing happens if it already ran."""
    if refresh.finished_at is not None:
        return refresh
    clock_refresh_start(refresh=refresh)
    checked, changed = clock_caches_check(
        fix=True, dossiers=Dossier.objects.filter(state__in=OPEN_STATES)
    )
    more_checked, more_changed = clock_caches_check(
        fix=True, dossiers=Dossier.objects.exclude(state__in=OPEN_STATES)
    )
    return clock_refresh_finish(
        refresh=refresh, checked=checked + more_checked, changed=changed + more_changed
    )


def clock_caches_fixed(checked: int, changed: int) -> None:
    """`rederive-clocks --fix` rewrote every cache under the calendar as it is now: record it,
    so that the worklist does not wait for a re-derivation of that version any more."""
    stamp, _ = current_calendar()
    if stamp == "file":
        return
    clock_refresh_complete(stamp=stamp, checked=checked, changed=changed)


REFRESH_KEY = "dossiers:clock-refresh"


def clock_refresh_pending() -> datetime | None:
    """When the re-derivation for the calendar as it is now was asked for, while it has not
    run yet (the worklist says so); None otherwise. Looked up, and asked for on a new calendar,
    at most every `worklist.COUNTS_TTL` seconds per process."""
    cached: datetime | bool | None = cache.get(REFRESH_KEY)
    if cached is None:
        refresh = clock_caches_follow_calendar()
        cached = refresh.requested_at if refresh is not None and refresh.pending else False
        cache.set(REFRESH_KEY, cached, worklist.COUNTS_TTL)
    return cached if isinstance(cached, datetime) else None


# --- The bookkeeping of each re-derivation (services) --------------------------------------------
#
# Bookkeeping of the system, not an action of a person: the ClockRefresh row is itself the
# record (asked at, started, finished, how many dossiers checked and changed); none of it is
# personal information, so nothing goes to the access log.


@transaction.atomic
def clock_refresh_request(*, stamp: str) -> ClockRefresh:
    """Ask, once, for the re-derivation of every clock cache under the calendar version `stamp`,
    and return it (new, or the one already asked for). The first version a database sees is its
    baseline, recorded as done (nothing to re-derive); any later one queues the background task
    once the transaction commits."""
    baseline = not ClockRefresh.objects.exists()
    refresh, created = ClockRefresh.objects.get_or_create(
        stamp=stamp,
        defaults={"baseline": baseline, "finished_at": timezone.now() if baseline else None},
    )
    if created and not baseline:
        pk = refresh.pk
        transaction.on_commit(lambda: rederive_clock_caches.enqueue(pk))
    return refresh


@transaction.atomic
def clock_refresh_start(*, refresh: ClockRefresh) -> ClockRefresh:
    """Record that the re-derivation asked for in `refresh` starts now."""
    refresh.started_at = timezone.now()
    refresh.save(update_fields=["started_at"])
    return refresh


@transaction.atomic
def clock_refresh_finish(*, refresh: ClockRefresh, checked: int, changed: int) -> ClockRefresh:
    """Record that the re-derivation is done: `checked` dossiers compared, `changed` rewritten.
    The worklist stops saying that due dates are being recomputed."""
    refresh.checked, refresh.changed = checked, changed
    refresh.finished_at = timezone.now()
    refresh.save(update_fields=["started_at", "checked", "changed", "finished_at"])
    return refresh


@transaction.atomic
def clock_refresh_complete(*, stamp: str, checked: int, changed: int) -> ClockRefresh:
    """Every cache was rewritten under the calendar version `stamp` outside the background task
    (`guichet rederive-clocks --fix`): record the re-derivation of that version as done, unless
    it already was, so that the worklist does not wait for it."""
    refresh, _ = ClockRefresh.objects.get_or_create(stamp=stamp)
    if refresh.pending:
        refresh.started_at = timezone.now()
        clock_refresh_finish(refresh=refresh, checked=checked, changed=changed)
    return refresh


@task()
def rederive_clock_caches(refresh_id: int) -> None:
    """Rewrite the worklist's due dates after a change of the closure calendar; a retried
    task does nothing twice (the background worker, `guichet db_worker`)."""
    clock_caches_rederive(ClockRefresh.objects.get(pk=refresh_id))
