"""The business-day calendar: ordinals, their inverse, closure look-ups, range, table vs rule."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.clock import BusinessCalendar, CalendarRangeError, Closure, quebec_closure_days
from guichet.clock.tests.conftest import (
    FETE_NATIONALE,
    LENDEMAIN_DE_NOEL,
    NOEL,
    TABLES,
    VEILLE_JOUR_DE_L_AN,
    d,
)

FIRST = date(1970, 1, 1)
LAST = date(2100, 12, 31)


def business_days_between(cal: BusinessCalendar, a: date, b: date) -> int:
    """Business days in (a, b], walking day by day (independent of the ordinal table)."""
    total, day = 0, a
    while day < b:
        day += timedelta(days=1)
        total += day.weekday() < 5 and day not in cal.closures
    return total


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-03-06", "2026-03-09", 1),  # Fri -> Mon
        ("2026-03-07", "2026-03-08", 0),  # Sat -> Sun
        ("2026-03-02", "2026-03-02", 0),  # empty interval
        ("2026-03-02", "2026-03-06", 4),  # the Monday itself is excluded
        ("2026-04-02", "2026-04-07", 1),  # Good Friday and Easter Monday in between
        ("2026-12-18", "2027-01-25", 20),  # DOMAIN.md's worked example
        ("2025-12-31", "2026-01-05", 1),  # Dec 31, Jan 1, Jan 2 closed
        ("2027-12-23", "2028-01-05", 3),  # 2027 table then 2028 by the rule
        ("2026-01-01", "2026-12-31", 248),  # 260 weekdays after Jan 1, 12 closures among them
    ],
)
def test_ordinal_difference_counts_business_days(
    cal: BusinessCalendar, a: str, b: str, expected: int
) -> None:
    assert cal.ordinal(d(b)) - cal.ordinal(d(a)) == expected


def test_first_business_days_of_the_calendar(cal: BusinessCalendar) -> None:
    # 1970-01-01 is a Thursday (Jour de l'An), Jan 2 a Friday (closed), then a weekend.
    assert cal.ordinal(date(1970, 1, 1)) == 0
    assert cal.ordinal(date(1970, 1, 4)) == 0
    assert cal.ordinal(date(1970, 1, 5)) == 1
    assert cal.business_day(1) == date(1970, 1, 5)
    assert cal.business_day(2) == date(1970, 1, 6)


def test_last_business_day_of_the_calendar(cal: BusinessCalendar) -> None:
    # 2100-12-31 is a Friday and a closure day; Thursday Dec 30 is the last business day.
    # 34,177 weekdays in 1970–2100 minus 131 x 13 closure days, all on weekdays.
    last = cal.ordinal(LAST)
    assert last == 32474
    assert cal.ordinal(date(2100, 12, 30)) == last
    assert cal.business_day(last) == date(2100, 12, 30)
    with pytest.raises(CalendarRangeError):
        cal.business_day(last + 1)
    with pytest.raises(CalendarRangeError):
        cal.business_day(0)


def test_business_day_is_the_inverse_of_ordinal(cal: BusinessCalendar) -> None:
    # Every business day of 2025–2028; non-business days map back to the business day before.
    day = date(2025, 1, 1)
    while day <= date(2028, 12, 31):
        back = cal.business_day(cal.ordinal(day)) if cal.ordinal(day) else None
        if cal.is_business_day(day):
            assert back == day
        else:
            previous = day - timedelta(days=1)
            while not cal.is_business_day(previous):
                previous -= timedelta(days=1)
            assert back == previous
        day += timedelta(days=1)
    assert cal.business_day(cal.ordinal(d("2026-12-28"))) == d("2026-12-23")


@settings(max_examples=200, deadline=None)
@given(
    a=st.dates(min_value=FIRST, max_value=LAST),
    span=st.integers(min_value=0, max_value=400),
)
def test_ordinal_difference_matches_a_walk(cal: BusinessCalendar, a: date, span: int) -> None:
    b = min(a + timedelta(days=span), LAST)
    assert cal.ordinal(b) - cal.ordinal(a) == business_days_between(cal, a, b)


@settings(max_examples=200, deadline=None)
@given(k=st.integers(min_value=1, max_value=32474))
def test_business_day_round_trip(cal: BusinessCalendar, k: int) -> None:
    day = cal.business_day(k)
    assert cal.is_business_day(day)
    assert cal.ordinal(day) == k
    assert cal.ordinal(day - timedelta(days=1)) == k - 1


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2026-03-04", True),  # an ordinary Wednesday
        ("2026-03-07", False),  # Saturday
        ("2026-03-08", False),  # Sunday
        ("2026-06-24", False),  # Fête nationale, a Wednesday
        ("2026-12-28", False),  # Lendemain de Noël moved to Monday
        ("2026-12-26", False),  # the Saturday it moved from
        ("2026-12-29", True),
        ("2027-01-04", False),  # Lendemain du jour de l'An moved to Monday
        ("2028-06-23", False),  # by the rule: June 24, 2028 is a Saturday
    ],
)
def test_is_business_day(cal: BusinessCalendar, iso: str, expected: bool) -> None:
    assert cal.is_business_day(d(iso)) is expected


def test_closure_look_up(cal: BusinessCalendar) -> None:
    assert cal.closure(d("2026-12-28")) == Closure(d("2026-12-28"), LENDEMAIN_DE_NOEL, False)
    assert cal.closure(d("2026-12-26")) is None
    assert cal.closure(d("2026-03-04")) is None


@pytest.mark.parametrize("iso", ["1969-12-31", "2101-01-01", "1900-06-01"])
def test_outside_the_calendar(cal: BusinessCalendar, iso: str) -> None:
    assert not cal.covers(d(iso))
    with pytest.raises(CalendarRangeError):
        cal.ordinal(d(iso))
    with pytest.raises(CalendarRangeError):
        cal.offset(d(iso))


def test_edges_are_inside_the_calendar(cal: BusinessCalendar) -> None:
    assert cal.covers(FIRST) and cal.covers(LAST)
    assert cal.first_day == FIRST and cal.last_day == LAST
    assert cal.offset(FIRST) == 0
    assert cal.offset(LAST) == 47846  # 131 years, 32 of them leap years, minus one


def test_range_error_is_a_value_error() -> None:
    assert issubclass(CalendarRangeError, ValueError)


def test_table_years_are_confirmed_and_other_years_provisional(cal: BusinessCalendar) -> None:
    for year in (2025, 2026, 2027):
        closures = cal.closures_in(year)
        assert [(c.day, c.name) for c in closures] == sorted(TABLES[year].items())
        assert not any(c.provisional for c in closures)
    for year in (1970, 2024, 2028, 2100):
        closures = cal.closures_in(year)
        assert [(c.day, c.name) for c in closures] == sorted(quebec_closure_days(year).items())
        assert all(c.provisional for c in closures)
    assert cal.closure(d("2028-06-23")) == Closure(d("2028-06-23"), FETE_NATIONALE, True)


def test_a_table_overrides_the_rule() -> None:
    # A 2026 table without Dec 31 and with an extra day; 2027 has no table, so the rule.
    table_2026 = {day: name for day, name in TABLES[2026].items() if name != VEILLE_JOUR_DE_L_AN}
    table_2026[d("2026-03-16")] = "Fermeture exceptionnelle"
    custom = BusinessCalendar.build({2026: table_2026})
    assert custom.is_business_day(d("2026-12-31"))
    assert not custom.is_business_day(d("2026-03-16"))
    assert custom.closure(d("2026-03-16")) == Closure(
        d("2026-03-16"), "Fermeture exceptionnelle", False
    )
    assert len(custom.closures_in(2026)) == 13
    assert custom.closure(d("2027-12-27")) == Closure(d("2027-12-27"), NOEL, True)
    # The ordinals follow the table: one business day gained, one lost in 2026.
    assert custom.ordinal(d("2026-03-16")) - custom.ordinal(d("2026-03-13")) == 0
    assert custom.ordinal(d("2027-01-05")) - custom.ordinal(d("2026-12-30")) == 2


def test_an_empty_table_closes_nothing_that_year() -> None:
    custom = BusinessCalendar.build({2026: {}})
    assert custom.closures_in(2026) == []
    assert custom.is_business_day(d("2026-12-25"))
    assert custom.ordinal(d("2026-12-31")) - custom.ordinal(d("2025-12-31")) == 261


def test_a_day_filed_under_the_wrong_year_is_refused() -> None:
    with pytest.raises(ValueError, match="2027-01-04"):
        BusinessCalendar.build({2026: {d("2027-01-04"): "Lendemain du jour de l'An"}})


def test_holidays_lists_every_closure_sorted(cal: BusinessCalendar) -> None:
    days = cal.holidays()
    assert days == sorted(days)
    assert len(days) == 13 * 131
    assert days[0] == date(1970, 1, 1)
    assert days[-1] == date(2100, 12, 31)
