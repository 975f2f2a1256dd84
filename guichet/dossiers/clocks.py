"""A dossier's clocks, derived from its events by the engine.

For each commitment of the dossier's service in force on its date of reception:
- the clock starts on the commitment's start event (the date of reception for `received`),
- it stops on the first stop event on or after its start,
- it is suspended from each incompleteness notice (S) to the next items-received event (E),
  clipped to the clock's start, and still open when no items have come yet.

The due date, the day the dossier becomes at risk (within `GUICHET_AT_RISK_PERCENT` % of the
target left) and the day it becomes overdue are all N-th counted days, so the engine gives them
directly and the worklist can filter on plain dates.
"""

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from guichet.catalogue.models import Commitment, CommitmentUnit
from guichet.catalogue.selectors import service_with_commitments
from guichet.clock import (
    BusinessCalendar,
    ClockResult,
    ExplainedDay,
    Outcome,
    Suspension,
    compute,
    due_date,
    explain,
    outcome,
)
from guichet.dossiers.models import Dossier, DossierEvent, EventKind


@dataclass(frozen=True)
class DerivedClock:
    commitment: Commitment
    started_on: date | None
    stopped_on: date | None
    suspensions: tuple[Suspension, ...]
    due_date: date | None
    at_risk_on: date | None
    overdue_on: date | None
    outcome: Outcome | None
    # Stopped by a withdrawal or closing, not by the promised event: no outcome.
    ended: bool = False

    @property
    def running(self) -> bool:
        return self.started_on is not None and self.stopped_on is None

    def as_of(self, cal: BusinessCalendar, day: date) -> ClockResult | None:
        """The clock's state on `day` (on its stop day once stopped)."""
        if self.started_on is None:
            return None
        when = min(day, self.stopped_on) if self.stopped_on else day
        return compute(
            cal,
            self.started_on,
            self.commitment.target,
            max(when, self.started_on),
            self.suspensions,
        )

    def explain(self, cal: BusinessCalendar, day: date) -> list[ExplainedDay]:
        if self.started_on is None:
            return []
        return explain(cal, self.started_on, self.commitment.target, day, self.suspensions)


ENDING_EVENTS = (EventKind.WITHDRAWN, EventKind.CLOSED)


def suspensions_of(events: Sequence[DossierEvent]) -> list[Suspension]:
    """Incompleteness notices paired with the next items-received event, in history order."""
    found: list[Suspension] = []
    open_since: date | None = None
    for event in events:
        if event.kind == EventKind.INCOMPLETENESS_NOTICE and open_since is None:
            open_since = event.occurred_on
        elif event.kind == EventKind.ITEMS_RECEIVED and open_since is not None:
            found.append(Suspension(open_since, max(event.occurred_on, open_since)))
            open_since = None
    if open_since is not None:
        found.append(Suspension(open_since, None))
    return found


def commitments_of(dossier: Dossier) -> list[Commitment]:
    """The business-day commitments in force on the dossier's date of reception."""
    day = dossier.received_on
    return [
        c
        for c in service_with_commitments(dossier.service_id)[1]
        if c.unit == CommitmentUnit.BUSINESS_DAYS
        and c.in_force_from <= day
        and (c.in_force_to is None or day <= c.in_force_to)
    ]


def at_risk_day_number(target: int) -> int:
    """The counted day from which a clock is at risk: no more than the configured share of
    its target is left."""
    percent: int = settings.GUICHET_AT_RISK_PERCENT
    return max(1, target - math.floor(target * percent / 100))


def derive_clocks(
    cal: BusinessCalendar, dossier: Dossier, events: Sequence[DossierEvent]
) -> list[DerivedClock]:
    ordered = sorted(events, key=lambda e: e.seq)
    all_suspensions = suspensions_of(ordered)
    # A withdrawn or closed dossier ends its clocks there, neither met nor missed.
    ended = next((e.occurred_on for e in ordered if e.kind in ENDING_EVENTS), None)
    clocks = []
    for commitment in commitments_of(dossier):
        start = _start(dossier, commitment, ordered)
        stop = None
        if start is not None:
            stop = next(
                (
                    e.occurred_on
                    for e in ordered
                    if e.kind == commitment.stops_on and e.occurred_on >= start
                ),
                None,
            )
        clock = _clock(cal, commitment, start, stop, all_suspensions)
        if start is not None and stop is None and ended is not None:
            clock = dataclasses.replace(clock, stopped_on=max(ended, start), ended=True)
        clocks.append(clock)
    return clocks


def _start(dossier: Dossier, commitment: Commitment, events: Sequence[DossierEvent]) -> date | None:
    if commitment.starts_on == EventKind.RECEIVED:
        return dossier.received_on
    return next((e.occurred_on for e in events if e.kind == commitment.starts_on), None)


def _clock(
    cal: BusinessCalendar,
    commitment: Commitment,
    start: date | None,
    stop: date | None,
    all_suspensions: Sequence[Suspension],
) -> DerivedClock:
    if start is None:
        return DerivedClock(commitment, None, None, (), None, None, None, None)
    suspensions = tuple(
        Suspension(max(s.start, start), s.end)
        for s in all_suspensions
        if s.end is None or s.end >= start
    )
    n = commitment.target
    return DerivedClock(
        commitment=commitment,
        started_on=start,
        stopped_on=stop,
        suspensions=suspensions,
        due_date=due_date(cal, start, n, suspensions),
        at_risk_on=due_date(cal, start, at_risk_day_number(n), suspensions),
        overdue_on=due_date(cal, start, n + 1, suspensions),
        outcome=outcome(cal, start, n, stop, suspensions) if stop else None,
    )


def earliest(values: Sequence[date | None]) -> date | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


@dataclass(frozen=True)
class DossierCaches:
    """What the worklist sorts and filters on: the earliest dates over the running clocks."""

    due_date: date | None
    at_risk_on: date | None
    overdue_on: date | None


def dossier_caches(dossier: Dossier, clocks: Sequence[DerivedClock]) -> DossierCaches:
    running = [c for c in clocks if c.running] if dossier.is_open else []
    return DossierCaches(
        due_date=earliest([c.due_date for c in running]),
        at_risk_on=earliest([c.at_risk_on for c in running]),
        overdue_on=earliest([c.overdue_on for c in running]),
    )


def apply_caches(dossier: Dossier, clocks: Sequence[DerivedClock]) -> None:
    caches = dossier_caches(dossier, clocks)
    dossier.due_date = caches.due_date
    dossier.at_risk_on = caches.at_risk_on
    dossier.overdue_on = caches.overdue_on
