"""The clock of a request for access or rectification: calendar days, 20 + one extension of
10 announced before the 20th day ends. Plain Python, no database."""

from datetime import date, timedelta

from guichet.privacy.deadlines import RequestClock, RequestStatus, request_clock

RECEIVED = date(2026, 12, 18)  # a Friday; weekends and holidays count: calendar days


def day(n: int) -> date:
    return RECEIVED + timedelta(days=n)


def test_day_zero_is_the_date_of_reception_and_the_answer_is_due_on_day_20() -> None:
    clock = request_clock(RECEIVED, [("received", RECEIVED)])
    assert clock.first_due_on == date(2027, 1, 7)
    assert clock.due_on == date(2027, 1, 7)
    assert clock.days_left(day(0)) == 20
    assert clock.status(day(0)) == RequestStatus.RUNNING
    assert clock.status(day(14)) == RequestStatus.RUNNING
    assert clock.status(day(15)) == RequestStatus.AT_RISK
    assert clock.status(day(20)) == RequestStatus.AT_RISK
    assert clock.status(day(21)) == RequestStatus.LATE


def test_extension_is_allowed_up_to_day_20_and_refused_on_day_21() -> None:
    clock = request_clock(RECEIVED, [("received", RECEIVED)])
    assert clock.extension_refused(day(19)) == ""
    assert clock.extension_refused(day(20)) == ""
    assert clock.extension_refused(day(21)) == (
        "Le délai de 20 jours a pris fin le 2027-01-07 : l'avis de prolongation devait être "
        "envoyé au plus tard ce jour-là."
    )


def test_an_extension_adds_ten_days_once() -> None:
    clock = request_clock(RECEIVED, [("received", RECEIVED), ("extended", day(19))])
    assert clock.extended_on == day(19)
    assert clock.due_on == date(2027, 1, 17)
    assert clock.status(day(21)) == RequestStatus.RUNNING
    assert clock.status(day(25)) == RequestStatus.AT_RISK
    assert clock.status(day(30)) == RequestStatus.AT_RISK
    assert clock.status(day(31)) == RequestStatus.LATE
    assert clock.extension_refused(day(19)).startswith("Le délai de cette demande a déjà été")
    # A second extension event (which the service refuses) would not count anyway.
    twice = request_clock(RECEIVED, [("extended", day(3)), ("extended", day(19))])
    assert twice.due_on == date(2027, 1, 17)


def test_answered_in_time_or_late() -> None:
    assert request_clock(RECEIVED, [("answered", day(20))]).status(day(40)) == (
        RequestStatus.ANSWERED
    )
    assert request_clock(RECEIVED, [("refused", day(21))]).status(day(21)) == (
        RequestStatus.ANSWERED_LATE
    )
    extended = [("extended", day(20)), ("rectified", day(30))]
    assert request_clock(RECEIVED, extended).status(day(30)) == RequestStatus.ANSWERED
    answered = RequestClock(RECEIVED, answered_on=day(5))
    assert answered.extension_refused(day(6)).startswith("Cette demande a déjà reçu")
