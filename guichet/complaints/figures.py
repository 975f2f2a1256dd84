"""The Commissaire's worklist (open complaints and comments by due date) and the yearly
section (by subject, by unit and by outcome), computed from the events with the clock engine."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from guichet.calendars.services import business_calendar
from guichet.clock import BusinessCalendar, ClockResult
from guichet.complaints.clocks import ComplaintClock, clocks_of, targets
from guichet.complaints.models import Complaint, ComplaintEvent, Kind, Outcome, State, Subject


def events_by_complaint(ids: Iterable[int]) -> dict[int, list[tuple[str, date]]]:
    found: dict[int, list[tuple[str, date]]] = {}
    rows = (
        ComplaintEvent.objects.filter(complaint_id__in=list(ids))
        .order_by("occurred_on", "id")
        .values_list("complaint_id", "kind", "occurred_on")
    )
    for complaint_id, kind, day in rows:
        found.setdefault(complaint_id, []).append((kind, day))
    return found


def clocks_for(complaints: list[Complaint]) -> dict[int, list[ComplaintClock]]:
    events = events_by_complaint(c.pk for c in complaints)
    known = targets()
    return {
        c.pk: clocks_of(
            received_on=c.received_on,
            is_complaint=c.is_complaint,
            events=events.get(c.pk, []),
            targets=known,
        )
        for c in complaints
    }


@dataclass(frozen=True)
class WorkItem:
    complaint: Complaint
    step: str  # what is due next: "accusé de réception" or "réponse"
    clock: ClockResult

    @property
    def sort_key(self) -> tuple[int, date, int]:
        due = self.clock.due_date
        return (0 if due else 1, due or date.max, self.complaint.pk)


def worklist(complaints: Iterable[Complaint], today: date) -> list[WorkItem]:
    """Open complaints and comments, the next due date first (suspended ones, with no due
    date, last)."""
    open_ones = [c for c in complaints if c.state != State.ANSWERED]
    cal = business_calendar()
    items: list[WorkItem] = []
    all_clocks = clocks_for(open_ones)
    for complaint in open_ones:
        clocks = all_clocks[complaint.pk]
        running = [k for k in clocks if k.stopped_on is None]
        if not running:
            continue  # a comment acknowledged: nothing more is promised
        clock = running[0]
        items.append(
            WorkItem(
                complaint,
                "accusé de réception" if clock.code.endswith("accuse-reception") else "réponse",
                clock.as_of(cal, today),
            )
        )
    return sorted(items, key=lambda i: i.sort_key)


@dataclass(frozen=True)
class YearFigures:
    complaints: int
    comments: int
    by_subject: list[tuple[str, int, int]]  # label, complaints, comments
    by_unit: list[tuple[str, int, int]]
    by_outcome: list[tuple[str, int]]  # complaints answered in the year
    acknowledged: tuple[int, int]  # met, stopped
    answered: tuple[int, int]


def year_figures(
    first_day: date, last_day: date, cal: BusinessCalendar | None = None
) -> YearFigures:
    """Complaints and comments received in the period, by subject and by unit; complaints
    answered in it by outcome; the two commitments (clocks stopped in the period)."""
    cal = cal or business_calendar()
    received = list(
        Complaint.objects.filter(received_on__range=(first_day, last_day)).select_related("unit")
    )
    subjects: Counter[tuple[str, str]] = Counter((c.subject, c.kind) for c in received)
    units: Counter[tuple[str, str]] = Counter(
        (c.unit.name if c.unit else "Aucune unité en particulier", c.kind) for c in received
    )
    by_subject = [
        (str(label), subjects[(value, Kind.COMPLAINT)], subjects[(value, Kind.COMMENT)])
        for value, label in Subject.choices
    ]
    by_unit = [
        (name, units[(name, Kind.COMPLAINT)], units[(name, Kind.COMMENT)])
        for name in sorted({n for n, _k in units})
    ]
    answered = Complaint.objects.filter(
        kind=Kind.COMPLAINT, answered_on__range=(first_day, last_day)
    )
    outcomes: Counter[str] = Counter(answered.values_list("outcome", flat=True))
    by_outcome = [(str(label), outcomes[value]) for value, label in Outcome.choices]
    stopped = list(
        Complaint.objects.filter(
            Q(acknowledged_on__range=(first_day, last_day))
            | Q(answered_on__range=(first_day, last_day))
        )
    )
    ack = [0, 0]
    ans = [0, 0]
    for clocks in clocks_for(stopped).values():
        for clock in clocks:
            if clock.stopped_on is None or not first_day <= clock.stopped_on <= last_day:
                continue
            met = clock.outcome(cal) == "met"
            tally = ack if clock.code.endswith("accuse-reception") else ans
            tally[0] += int(met)
            tally[1] += 1
    return YearFigures(
        complaints=sum(1 for c in received if c.kind == Kind.COMPLAINT),
        comments=sum(1 for c in received if c.kind == Kind.COMMENT),
        by_subject=by_subject,
        by_unit=by_unit,
        by_outcome=by_outcome,
        acknowledged=(ack[0], ack[1]),
        answered=(ans[0], ans[1]),
    )
