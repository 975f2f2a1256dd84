"""A complaint's two clocks, derived from its events by the clock engine (guichet/clock).

Both start on the date of reception (day 0). The acknowledgment clock stops on the first
`acknowledged` event, the answer clock (complaints only: a comment is acknowledged, not
answered) on the first `answered` event. Each `info_requested` event opens a suspension (S)
that the next `info_received` event closes (E), exactly as a dossier's incompleteness notice
and missing items (DOMAIN.md, "How the clock counts").
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from guichet.catalogue.models import Commitment
from guichet.clock import BusinessCalendar, ClockResult, Outcome, Suspension, compute, outcome

ACKNOWLEDGMENT_CODE = "plaintes-accuse-reception"
ANSWER_CODE = "plaintes-reponse"
# The targets when no declaration is loaded (the MICC declaration's, declarations/micc.toml).
DEFAULT_TARGETS = {ACKNOWLEDGMENT_CODE: 2, ANSWER_CODE: 10}


@dataclass(frozen=True)
class ComplaintClock:
    code: str
    target: int
    received_on: date
    stopped_on: date | None
    suspensions: tuple[Suspension, ...]

    def as_of(self, cal: BusinessCalendar, day: date) -> ClockResult:
        when = min(day, self.stopped_on) if self.stopped_on else day
        when = max(when, self.received_on)
        return compute(cal, self.received_on, self.target, when, self.suspensions)

    def outcome(self, cal: BusinessCalendar) -> Outcome | None:
        if self.stopped_on is None:
            return None
        return outcome(cal, self.received_on, self.target, self.stopped_on, self.suspensions)


def suspensions_of(events: Iterable[tuple[str, date]]) -> tuple[Suspension, ...]:
    """(kind, day) events in order → the suspensions they make."""
    found: list[Suspension] = []
    start: date | None = None
    for kind, day in events:
        if kind == "info_requested" and start is None:
            start = day
        elif kind == "info_received" and start is not None:
            found.append(Suspension(start, max(day, start)))
            start = None
    if start is not None:
        found.append(Suspension(start, None))
    return tuple(found)


def clocks_of(
    *,
    received_on: date,
    is_complaint: bool,
    events: Sequence[tuple[str, date]],
    targets: dict[str, int] | None = None,
) -> list[ComplaintClock]:
    """The clocks of one complaint or comment from its (kind, day) events in order."""
    targets = targets or DEFAULT_TARGETS
    suspensions = suspensions_of(events)

    def first(kind: str) -> date | None:
        return next((day for k, day in events if k == kind), None)

    clocks = [
        ComplaintClock(
            ACKNOWLEDGMENT_CODE,
            targets[ACKNOWLEDGMENT_CODE],
            received_on,
            first("acknowledged"),
            suspensions,
        )
    ]
    if is_complaint:
        clocks.append(
            ComplaintClock(
                ANSWER_CODE, targets[ANSWER_CODE], received_on, first("answered"), suspensions
            )
        )
    return clocks


def commitments() -> dict[str, Commitment]:
    """The complaint commitments of the declaration in force (by code), latest first."""
    found: dict[str, Commitment] = {}
    for c in Commitment.objects.filter(code__in=DEFAULT_TARGETS).order_by("-in_force_from", "-pk"):
        found.setdefault(c.code, c)
    return found


def targets() -> dict[str, int]:
    known = {code: c.target for code, c in commitments().items()}
    return {**DEFAULT_TARGETS, **known}
