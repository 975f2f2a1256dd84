"""The closure calendar as recorded data: the file, its versions, its edits."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guichet.calendars.models import CalendarYear, ClosureDay
from guichet.calendars.services import (
    ClosureDayError,
    business_calendar,
    calendar_load,
    calendar_year_confirm,
    closure_day_record,
    closure_day_replace,
    closure_day_retire,
    closures_of_year,
)
from guichet.clock import due_date
from guichet.datafiles import DataFileError
from guichet.testing import QUEBEC

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")

# DOMAIN.md, "Closure days of the Québec public service", typed from the published table.
DOMAIN_TABLE = {
    2025: [
        "01-01",
        "01-02",
        "04-18",
        "04-21",
        "05-19",
        "06-24",
        "07-01",
        "09-01",
        "10-13",
        "12-24",
        "12-25",
        "12-26",
        "12-31",
    ],
    2026: [
        "01-01",
        "01-02",
        "04-03",
        "04-06",
        "05-18",
        "06-24",
        "07-01",
        "09-07",
        "10-12",
        "12-24",
        "12-25",
        "12-28",
        "12-31",
    ],
    2027: [
        "01-01",
        "01-04",
        "03-26",
        "03-29",
        "05-24",
        "06-24",
        "07-01",
        "09-06",
        "10-11",
        "12-24",
        "12-27",
        "12-28",
        "12-31",
    ],
}


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_the_file_is_exactly_the_domain_table(quebec_calendar: None, year: int) -> None:
    closures = closures_of_year(year)
    assert [c.day.strftime("%m-%d") for c in closures] == DOMAIN_TABLE[year]
    assert not any(c.provisional for c in closures)
    assert CalendarYear.objects.filter(year=year).exists()


def test_names_are_french(quebec_calendar: None) -> None:
    names = {c.day: c.name for c in closures_of_year(2026)}
    assert names[date(2026, 12, 28)] == "Lendemain de Noël"
    assert names[date(2026, 5, 18)] == "Journée nationale des patriotes"
    assert names[date(2026, 6, 24)] == "Fête nationale du Québec"


def test_years_without_table_are_provisional(quebec_calendar: None) -> None:
    closures = closures_of_year(2028)
    assert len(closures) == 13
    assert all(c.provisional for c in closures)
    assert closures[0].day == date(2028, 1, 3)  # Jan 1 is a Saturday


def test_loading_twice_changes_nothing(quebec_calendar: None) -> None:
    before = list(ClosureDay.objects.values_list("pk", "date", "name", "retired_at"))
    result = calendar_load(path=QUEBEC)
    assert not result.changed
    assert list(ClosureDay.objects.values_list("pk", "date", "name", "retired_at")) == before
    assert ClosureDay.objects.count() == 39


def test_a_changed_file_retires_and_adds(quebec_calendar: None, tmp_path: Path) -> None:
    changed = tmp_path / "quebec.toml"
    changed.write_text(
        QUEBEC.read_text(encoding="utf-8").replace(
            '{ date = 2026-12-28, name = "Lendemain de Noël" }',
            '{ date = 2026-12-29, name = "Lendemain de Noël" }',
        ),
        encoding="utf-8",
    )
    result = calendar_load(path=changed)
    assert [c.date for c in result.retired] == [date(2026, 12, 28)]
    assert [c.date for c in result.added] == [date(2026, 12, 29)]
    old = ClosureDay.objects.get(date=date(2026, 12, 28))
    assert old.retired_at is not None
    assert "retiré : chargé depuis quebec.toml" in old.reason
    assert ClosureDay.objects.current().count() == 39


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{ date = 2026-12-28,",
            "{ date = 2026-12-26,",
            "years[1] (2026), days[11], champ « date » : le 2026-12-26 tombe un week-end",
        ),
        (
            "{ date = 2026-12-28,",
            "{ date = 2027-12-28,",
            "years[1] (2026), days[11], champ « date » : 2027-12-28 n'est pas en 2026",
        ),
        (
            "{ date = 2026-12-28,",
            "{ date = 2026-12-25,",
            "years[1] (2026), days[11], champ « date » : 2026-12-25 figure deux fois",
        ),
        ('name = "Noël" }', 'name = "" }', "champ « name » : ne doit pas être vide"),
        ("year = 2027", "year = 2026", "years[2] (2026), champ « year » : l'année 2026 figure"),
        ("[calendar]", "[calendrier]", "fichier, champ « calendrier » : champ inconnu"),
    ],
)
def test_a_bad_file_records_nothing(
    db: None, tmp_path: Path, old: str, new: str, message: str
) -> None:
    bad = tmp_path / "quebec.toml"
    text = QUEBEC.read_text(encoding="utf-8")
    assert old in text
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as excinfo:
        calendar_load(path=bad)
    assert message in str(excinfo.value)
    assert str(excinfo.value).startswith(f"{bad} : ")
    assert ClosureDay.objects.count() == 0
    assert CalendarYear.objects.count() == 0


def test_record_rules(quebec_calendar: None) -> None:
    with pytest.raises(ClosureDayError, match="tombe un week-end"):
        closure_day_record(day=date(2026, 3, 7), name="Tempête", user=None, reason="test")
    with pytest.raises(ClosureDayError, match="est déjà un jour de fermeture"):
        closure_day_record(day=date(2026, 12, 24), name="Veille", user=None, reason="test")
    with pytest.raises(ClosureDayError, match="l'année 2028 n'est pas confirmée"):
        closure_day_record(day=date(2028, 3, 7), name="Tempête", user=None, reason="test")
    with pytest.raises(ClosureDayError, match="le nom du jour de fermeture est obligatoire"):
        closure_day_record(day=date(2026, 3, 9), name="  ", user=None, reason="test")
    assert ClosureDay.objects.count() == 39


def test_confirming_a_generated_year_records_its_rule_days(quebec_calendar: None) -> None:
    calendar_year_confirm(year=2028, user=None)
    assert ClosureDay.objects.current().filter(date__year=2028).count() == 13
    assert not any(c.provisional for c in closures_of_year(2028))
    with pytest.raises(ClosureDayError, match="l'année 2028 est déjà confirmée"):
        calendar_year_confirm(year=2028, user=None)


def test_a_due_date_computed_before_a_change_can_still_be_explained(
    quebec_calendar: None,
) -> None:
    """A storm closes the offices on 2026-03-09: due dates move, but the calendar as it was
    known before the change still gives the old due date."""
    before = datetime.now(tz=TORONTO)
    with time_machine.travel(before + timedelta(minutes=5)):
        closure_day_record(
            day=date(2026, 3, 9),
            name="Fermeture exceptionnelle (tempête)",
            user=None,
            reason="décision du Conseil du trésor",
        )
    received = date(2026, 3, 2)
    assert due_date(business_calendar(at=before), received, 10) == date(2026, 3, 16)
    assert due_date(business_calendar(), received, 10) == date(2026, 3, 17)


def test_replace_and_retire_keep_history(quebec_calendar: None) -> None:
    original = ClosureDay.objects.get(date=date(2026, 12, 28))
    new = closure_day_replace(
        closure=original,
        day=date(2026, 12, 29),
        name="Lendemain de Noël",
        user=None,
        reason="correction",
    )
    original.refresh_from_db()
    assert original.retired_at is not None and new.retired_at is None
    with pytest.raises(ClosureDayError, match="déjà été retiré ou remplacé"):
        closure_day_replace(
            closure=original, day=date(2026, 12, 30), name="X", user=None, reason="again"
        )
    with pytest.raises(ClosureDayError, match="reste dans son année"):
        closure_day_replace(closure=new, day=date(2027, 1, 5), name="X", user=None, reason="y")
    closure_day_retire(closure=new, user=None, reason="erreur")
    assert ClosureDay.objects.filter(date__in=[date(2026, 12, 28), date(2026, 12, 29)]).count() == 2
    assert ClosureDay.objects.current().filter(date__year=2026).count() == 12
    assert date(2026, 12, 29) not in business_calendar().closures


def test_before_any_load_the_calendar_file_is_used(db: None) -> None:
    closures = closures_of_year(2026)
    assert [c.day.strftime("%m-%d") for c in closures] == DOMAIN_TABLE[2026]
    assert not any(c.provisional for c in closures)
    assert all(c.provisional for c in closures_of_year(2028))
