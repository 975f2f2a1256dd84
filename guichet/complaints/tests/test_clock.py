"""The complaint clocks, from the events, with the real Québec calendar (no database)."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from guichet.calendars.services import parse_calendar
from guichet.clock import BusinessCalendar, Outcome, Status, Suspension
from guichet.complaints.clocks import clocks_of, suspensions_of

D = date.fromisoformat


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar.build(parse_calendar(Path(settings.GUICHET_CALENDAR_FILE)))


def test_due_dates_over_the_holidays(cal: BusinessCalendar) -> None:
    ack, answer = clocks_of(received_on=D("2026-12-18"), is_complaint=True, events=[])
    assert ack.as_of(cal, D("2026-12-18")).due_date == D("2026-12-22")
    # Dec 24, 25, 28 and 31, Jan 1 and 4 (2027's Jan 2 moves to Monday) are closed.
    assert answer.as_of(cal, D("2026-12-18")).due_date == D("2027-01-11")


def test_a_request_for_information_suspends_both_clocks(cal: BusinessCalendar) -> None:
    events = [
        ("received", D("2026-12-18")),
        ("acknowledged", D("2026-12-21")),
        ("info_requested", D("2027-01-05")),
        ("info_received", D("2027-01-12")),
        ("answered", D("2027-01-19")),
    ]
    ack, answer = clocks_of(received_on=D("2026-12-18"), is_complaint=True, events=events)
    assert ack.outcome(cal) == Outcome.MET
    assert ack.as_of(cal, D("2027-03-01")).elapsed == 1
    # Five business days covered (Jan 6, 7, 8, 11, 12): due Jan 18 instead of Jan 11.
    result = answer.as_of(cal, D("2027-01-19"))
    assert (result.due_date, result.elapsed, result.suspended_days) == (D("2027-01-18"), 11, 5)
    assert answer.outcome(cal) == Outcome.MISSED


def test_while_waiting_there_is_no_due_date(cal: BusinessCalendar) -> None:
    events = [("received", D("2027-02-01")), ("info_requested", D("2027-02-02"))]
    ack, answer = clocks_of(received_on=D("2027-02-01"), is_complaint=True, events=events)
    now = answer.as_of(cal, D("2027-02-10"))
    assert (now.due_date, now.status, now.elapsed) == (None, Status.SUSPENDED, 1)
    # The acknowledgment was due before the clock stopped (day 2 = Feb 3 > Feb 2): no, it
    # had one counted day when the suspension began, so it too waits.
    assert ack.as_of(cal, D("2027-02-10")).due_date is None


def test_a_comment_has_no_answer_clock() -> None:
    clocks = clocks_of(received_on=D("2027-02-01"), is_complaint=False, events=[])
    assert [c.code for c in clocks] == ["plaintes-accuse-reception"]


def test_suspensions_pair_requests_with_receipts() -> None:
    events = [
        ("info_requested", D("2027-02-02")),
        ("info_received", D("2027-02-04")),
        ("info_requested", D("2027-02-08")),
    ]
    assert suspensions_of(events) == (
        Suspension(D("2027-02-02"), D("2027-02-04")),
        Suspension(D("2027-02-08"), None),
    )
