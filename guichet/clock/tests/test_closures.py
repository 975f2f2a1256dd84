"""The closure rule (`quebec_closure_days`) against DOMAIN.md's published table, the weekend
replacement rule for later years, and a cross-check with the `holidays` package."""

from datetime import date, timedelta

import holidays
import pytest
from dateutil.easter import easter as dateutil_easter

from guichet.clock import BusinessCalendar, quebec_closure_days
from guichet.clock.closures import easter_sunday
from guichet.clock.tests.conftest import (
    ACTION_DE_GRACES,
    FETE_DU_CANADA,
    FETE_DU_TRAVAIL,
    FETE_NATIONALE,
    JOUR_DE_L_AN,
    LENDEMAIN_DE_NOEL,
    LENDEMAIN_JOUR_DE_L_AN,
    LUNDI_DE_PAQUES,
    NOEL,
    PATRIOTES,
    TABLES,
    VEILLE_DE_NOEL,
    VEILLE_JOUR_DE_L_AN,
    VENDREDI_SAINT,
    d,
)

ALL_NAMES = {
    JOUR_DE_L_AN,
    LENDEMAIN_JOUR_DE_L_AN,
    VENDREDI_SAINT,
    LUNDI_DE_PAQUES,
    PATRIOTES,
    FETE_NATIONALE,
    FETE_DU_CANADA,
    FETE_DU_TRAVAIL,
    ACTION_DE_GRACES,
    VEILLE_DE_NOEL,
    NOEL,
    LENDEMAIN_DE_NOEL,
    VEILLE_JOUR_DE_L_AN,
}


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_rule_reproduces_the_published_table(year: int) -> None:
    assert quebec_closure_days(year) == TABLES[year]


def test_moved_days_keep_their_names() -> None:
    assert quebec_closure_days(2026)[d("2026-12-28")] == "Lendemain de Noël"
    assert quebec_closure_days(2027)[d("2027-01-04")] == "Lendemain du jour de l'An"
    assert quebec_closure_days(2027)[d("2027-12-27")] == "Noël"
    assert quebec_closure_days(2027)[d("2027-12-28")] == "Lendemain de Noël"


def test_days_come_sorted() -> None:
    days = list(quebec_closure_days(2027))
    assert days == sorted(days)


def test_thirteen_distinct_weekdays_in_their_year() -> None:
    for year in range(1970, 2101):
        days = quebec_closure_days(year)
        assert len(days) == 13, year
        assert set(days.values()) == ALL_NAMES, year
        assert all(day.year == year for day in days), year
        assert all(day.weekday() < 5 for day in days), year


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1818, date(1818, 3, 22)),  # earliest possible
        (1970, date(1970, 3, 29)),
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2038, date(2038, 4, 25)),  # latest possible
        (2100, date(2100, 3, 28)),
    ],
)
def test_easter_sunday_known_years(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_easter_sunday_matches_dateutil_over_the_calendar() -> None:
    # dateutil is an independent implementation (a dependency of `holidays`).
    for year in range(1970, 2101):
        assert easter_sunday(year) == dateutil_easter(year), year


def test_days_that_never_move_every_year() -> None:
    for year in range(1970, 2101):
        days = {name: day for day, name in quebec_closure_days(year).items()}
        easter = easter_sunday(year)
        assert days[VENDREDI_SAINT] == easter - timedelta(days=2), year
        assert days[LUNDI_DE_PAQUES] == easter + timedelta(days=1), year
        # Patriotes: the Monday strictly before May 25, so May 18..24.
        assert days[PATRIOTES].weekday() == 0, year
        assert date(year, 5, 18) <= days[PATRIOTES] <= date(year, 5, 24), year
        # Labour Day: first Monday of September; Thanksgiving: second Monday of October.
        assert days[FETE_DU_TRAVAIL].weekday() == 0, year
        assert date(year, 9, 1) <= days[FETE_DU_TRAVAIL] <= date(year, 9, 7), year
        assert days[ACTION_DE_GRACES].weekday() == 0, year
        assert date(year, 10, 8) <= days[ACTION_DE_GRACES] <= date(year, 10, 14), year


def test_2028_by_the_rule() -> None:
    assert quebec_closure_days(2028) == {
        date(2028, 1, 3): JOUR_DE_L_AN,  # Jan 1 is a Saturday
        date(2028, 1, 4): LENDEMAIN_JOUR_DE_L_AN,  # Jan 2 Sunday, Jan 3 already taken
        date(2028, 4, 14): VENDREDI_SAINT,
        date(2028, 4, 17): LUNDI_DE_PAQUES,
        date(2028, 5, 22): PATRIOTES,  # May 25 is a Thursday
        date(2028, 6, 23): FETE_NATIONALE,  # June 24 is a Saturday: Friday before
        date(2028, 6, 30): FETE_DU_CANADA,  # July 1 is a Saturday: Friday before
        date(2028, 9, 4): FETE_DU_TRAVAIL,
        date(2028, 10, 9): ACTION_DE_GRACES,
        date(2028, 12, 22): VEILLE_DE_NOEL,  # Dec 24 is a Sunday: Friday before
        date(2028, 12, 25): NOEL,
        date(2028, 12, 26): LENDEMAIN_DE_NOEL,
        date(2028, 12, 29): VEILLE_JOUR_DE_L_AN,  # Dec 31 is a Sunday: Friday before
    }


@pytest.mark.parametrize(
    ("year", "name", "expected"),
    [
        # June 24 and July 1: a Saturday moves to the Friday before, a Sunday to the Monday after.
        (2028, FETE_NATIONALE, date(2028, 6, 23)),
        (2029, FETE_NATIONALE, date(2029, 6, 25)),  # Sunday
        (2033, FETE_NATIONALE, date(2033, 6, 24)),  # a Friday stays
        (2028, FETE_DU_CANADA, date(2028, 6, 30)),
        (2029, FETE_DU_CANADA, date(2029, 7, 2)),  # Sunday
        (2033, FETE_DU_CANADA, date(2033, 7, 1)),  # a Friday stays
        # Jan 1 and 2 move forward to the next days not already closed.
        (2028, JOUR_DE_L_AN, date(2028, 1, 3)),
        (2028, LENDEMAIN_JOUR_DE_L_AN, date(2028, 1, 4)),
        (2023, JOUR_DE_L_AN, date(2023, 1, 3)),  # Sunday; Monday Jan 2 is itself closed
        (2023, LENDEMAIN_JOUR_DE_L_AN, date(2023, 1, 2)),
        # The eves move back to the Friday before.
        (2022, VEILLE_DE_NOEL, date(2022, 12, 23)),  # Saturday
        (2022, VEILLE_JOUR_DE_L_AN, date(2022, 12, 30)),  # Saturday
        (2028, VEILLE_DE_NOEL, date(2028, 12, 22)),  # Sunday
        # Dec 25 on a Sunday: Monday Dec 26 is taken by its own day, so Noël goes to Tuesday.
        (2022, NOEL, date(2022, 12, 27)),
        (2022, LENDEMAIN_DE_NOEL, date(2022, 12, 26)),
        # Dec 25 Saturday and Dec 26 Sunday: Monday and Tuesday.
        (2021, NOEL, date(2021, 12, 27)),
        (2021, LENDEMAIN_DE_NOEL, date(2021, 12, 28)),
    ],
)
def test_weekend_replacement_rule(year: int, name: str, expected: date) -> None:
    days = {n: day for day, n in quebec_closure_days(year).items()}
    assert days[name] == expected


def test_2022_year_end() -> None:
    december = {
        day: name for day, name in quebec_closure_days(2022).items() if day >= date(2022, 12, 1)
    }
    assert december == {
        date(2022, 12, 23): VEILLE_DE_NOEL,
        date(2022, 12, 26): LENDEMAIN_DE_NOEL,
        date(2022, 12, 27): NOEL,
        date(2022, 12, 30): VEILLE_JOUR_DE_L_AN,
    }


# --- Cross-check with the `holidays` package -------------------------------------------------

YEARS = (2025, 2026, 2027)


def _holidays_qc(categories: tuple[str, ...]) -> dict[date, str]:
    known = holidays.country_holidays("CA", subdiv="QC", years=YEARS, categories=categories)
    return dict(known.items())


def test_holidays_puts_easter_monday_among_optional_days() -> None:
    public = _holidays_qc((holidays.PUBLIC,))
    optional = _holidays_qc((holidays.OPTIONAL,))
    assert date(2026, 4, 6) not in public
    assert optional[date(2026, 4, 6)] == "Easter Monday"


def test_holidays_weekday_dates_are_all_in_our_calendar(cal: BusinessCalendar) -> None:
    theirs = _holidays_qc((holidays.PUBLIC, holidays.OPTIONAL))
    # Only the dates on weekdays: `holidays` also lists the true date of a weekend holiday
    # (2027-12-25, a Saturday) next to its observed one (2027-12-27).
    theirs_on_weekdays = {day for day in theirs if day.weekday() < 5}
    # 9 days a year; in 2027 Noël is observed on Monday Dec 27.
    assert len(theirs_on_weekdays) == 27
    for day in sorted(theirs_on_weekdays):
        closure = cal.closure(day)
        assert closure is not None, f"{day} ({theirs[day]}) is not a closure day in our calendar"
        assert not closure.provisional


def test_days_that_holidays_misses(cal: BusinessCalendar) -> None:
    theirs = set(_holidays_qc((holidays.PUBLIC, holidays.OPTIONAL)))
    ours = {c.day for year in YEARS for c in cal.closures_in(year)}
    assert len(ours) == 39
    missing = {day: cal.closures[day].name for day in ours - theirs}
    assert missing == {
        date(2025, 1, 2): LENDEMAIN_JOUR_DE_L_AN,
        date(2025, 12, 24): VEILLE_DE_NOEL,
        date(2025, 12, 26): LENDEMAIN_DE_NOEL,
        date(2025, 12, 31): VEILLE_JOUR_DE_L_AN,
        date(2026, 1, 2): LENDEMAIN_JOUR_DE_L_AN,
        date(2026, 12, 24): VEILLE_DE_NOEL,
        date(2026, 12, 28): LENDEMAIN_DE_NOEL,
        date(2026, 12, 31): VEILLE_JOUR_DE_L_AN,
        date(2027, 1, 4): LENDEMAIN_JOUR_DE_L_AN,
        date(2027, 12, 24): VEILLE_DE_NOEL,
        date(2027, 12, 28): LENDEMAIN_DE_NOEL,
        date(2027, 12, 31): VEILLE_JOUR_DE_L_AN,
    }
