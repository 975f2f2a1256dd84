"""The complaint commitments in the dashboard and the annual report (guichet/measures.py):
acknowledgment within 2 business days and answer within 10, each clock counted in the period
in which it stopped, in business days from the date of reception, suspensions excluded. The
unit is the one the complaint is about (0 when none)."""

from datetime import date

from django.db.models import Q

from guichet.calendars.services import business_calendar
from guichet.complaints.clocks import commitments
from guichet.complaints.figures import clocks_for
from guichet.complaints.models import Complaint
from guichet.measures import Stopped, register_measure


@register_measure("complaints")
def stopped(first_day: date, last_day: date) -> Stopped:
    known = commitments()
    if not known:
        return Stopped.empty()
    cal = business_calendar()
    candidates = list(
        Complaint.objects.filter(
            Q(acknowledged_on__range=(first_day, last_day))
            | Q(answered_on__range=(first_day, last_day))
        ).only("pk", "kind", "received_on", "unit_id")
    )
    rows: list[tuple[int, int, int, bool, int]] = []
    all_clocks = clocks_for(candidates)
    for complaint in candidates:
        for clock in all_clocks[complaint.pk]:
            commitment = known.get(clock.code)
            if commitment is None or clock.stopped_on is None:
                continue
            result = clock.as_of(cal, clock.stopped_on)
            rows.append(
                (
                    commitment.pk,
                    clock.stopped_on.toordinal(),
                    result.elapsed,
                    result.elapsed <= commitment.target,
                    complaint.unit_id or 0,
                )
            )
    return Stopped.of(
        commitment=[r[0] for r in rows],
        stop_day=[r[1] for r in rows],
        elapsed=[r[2] for r in rows],
        met=[r[3] for r in rows],
        unit=[r[4] for r in rows],
        measured=[c.pk for c in known.values()],
    )
