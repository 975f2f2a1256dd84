"""State changes of the closure calendar, and the business calendar they make.

Every change is a new row or a retirement (see models.py); nothing is updated in place.
"""

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from guichet.calendars.models import CalendarYear, ClosureDay
from guichet.clock import BusinessCalendar, Closure, quebec_closure_days
from guichet.clock.calendar import FIRST_YEAR, LAST_YEAR
from guichet.datafiles import Entry, read_toml

# The account acting (the project's user model); the calendars know no app above them.
Actor = AbstractBaseUser | None


def _id(user: Actor) -> int | None:
    return None if user is None else user.pk


class ClosureDayError(ValueError):
    """A closure day change breaks a rule of the calendar; nothing changed."""


@dataclass
class CalendarLoadResult:
    years_confirmed: list[int] = field(default_factory=list)
    added: list[ClosureDay] = field(default_factory=list)
    retired: list[ClosureDay] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.years_confirmed or self.added or self.retired)


def closure_day_problem(day: date, name: str) -> str | None:
    """What makes (day, name) unfit as a closure day on its own, or None."""
    if not name.strip():
        return "le nom du jour de fermeture est obligatoire"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"l'année doit être entre {FIRST_YEAR} et {LAST_YEAR}"
    if day.weekday() >= 5:
        return (
            f"le {day.isoformat()} tombe un week-end : inscrivez plutôt le jour ouvrable "
            "chômé qui le remplace"
        )
    return None


def check_closure_day(day: date, name: str, *, replacing: ClosureDay | None = None) -> None:
    """Raise ClosureDayError unless `day` can be recorded as a closure day named `name`."""
    problem = closure_day_problem(day, name)
    if problem:
        raise ClosureDayError(problem)
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise ClosureDayError(
            f"l'année {day.year} n'est pas confirmée (ses jours viennent de la règle) : "
            "confirmez-la d'abord"
        )
    clash = ClosureDay.objects.current().filter(date=day)
    if replacing is not None:
        clash = clash.exclude(pk=replacing.pk)
    if clash.exists():
        raise ClosureDayError(f"le {day.isoformat()} est déjà un jour de fermeture")


def _record(day: date, name: str, user: Actor, reason: str, now: datetime) -> ClosureDay:
    return ClosureDay.objects.create(
        date=day, name=name.strip(), recorded_at=now, recorded_by_id=_id(user), reason=reason
    )


def _retire(closure: ClosureDay, user: Actor, reason: str, now: datetime) -> None:
    closure.retired_at = now
    closure.retired_by_id = _id(user)
    closure.reason = f"{closure.reason} | retiré : {reason}"[:300]
    closure.save(update_fields=["retired_at", "retired_by", "reason"])


@transaction.atomic
def closure_day_record(*, day: date, name: str, user: Actor, reason: str) -> ClosureDay:
    """Add a closure day to a confirmed year."""
    check_closure_day(day, name)
    return _record(day, name, user, reason, timezone.now())


@transaction.atomic
def closure_day_replace(
    *, closure: ClosureDay, day: date, name: str, user: Actor, reason: str
) -> ClosureDay:
    """Move or rename a closure day: the old row is retired and a new one recorded."""
    closure = ClosureDay.objects.select_for_update().get(pk=closure.pk)
    if closure.retired_at is not None:
        raise ClosureDayError("ce jour de fermeture a déjà été retiré ou remplacé")
    check_closure_day(day, name, replacing=closure)
    if day.year != closure.date.year:
        raise ClosureDayError("un jour de fermeture reste dans son année")
    now = timezone.now()
    _retire(closure, user, reason, now)
    return _record(day, name, user, reason, now)


@transaction.atomic
def closure_day_retire(*, closure: ClosureDay, user: Actor, reason: str) -> None:
    closure = ClosureDay.objects.select_for_update().get(pk=closure.pk)
    if closure.retired_at is not None:
        raise ClosureDayError("ce jour de fermeture a déjà été retiré")
    _retire(closure, user, reason, timezone.now())


def check_year_confirmable(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ClosureDayError(f"l'année doit être entre {FIRST_YEAR} et {LAST_YEAR}")
    if CalendarYear.objects.filter(year=year).exists():
        raise ClosureDayError(f"l'année {year} est déjà confirmée")


@transaction.atomic
def calendar_year_confirm(*, year: int, user: Actor) -> CalendarYear:
    """Confirm a generated year: its rule days become recorded data, editable from then on."""
    check_year_confirmable(year)
    now = timezone.now()
    confirmed = CalendarYear.objects.create(
        year=year, confirmed_at=now, confirmed_by_id=_id(user), source="règle confirmée"
    )
    for day, name in quebec_closure_days(year).items():
        _record(day, name, user, "généré par la règle, confirmé", now)
    return confirmed


def parse_calendar(path: Path) -> dict[int, dict[date, str]]:
    """Read and validate a calendar file as a whole: {year: {date: name}}."""
    raw = read_toml(path)
    top = Entry(path, "fichier", raw)
    top.only(["calendar", "years"])
    head = Entry(path, "[calendar]", raw.get("calendar"))
    head.only(["code", "name"])
    head.code()
    head.req_text("name")
    tables: dict[int, dict[date, str]] = {}
    for i, table in enumerate(top.tables("years", required=True)):
        entry = Entry(path, f"years[{i}]", table)
        entry.only(["year", "days"])
        year = entry.integer("year", minimum=FIRST_YEAR)
        entry.where = f"years[{i}] ({year})"
        if year > LAST_YEAR:
            raise entry.error("year", f"doit être au plus {LAST_YEAR}")
        if year in tables:
            raise entry.error("year", f"l'année {year} figure deux fois")
        days: dict[date, str] = {}
        for j, item in enumerate(entry.tables("days", required=True)):
            d = Entry(path, f"{entry.where}, days[{j}]", item)
            d.only(["date", "name"])
            day, name = d.req_day("date"), d.req_text("name")
            if day.year != year:
                raise d.error("date", f"{day.isoformat()} n'est pas en {year}")
            if day in days:
                raise d.error("date", f"{day.isoformat()} figure deux fois")
            problem = closure_day_problem(day, name)
            if problem:
                raise d.error("date", problem)
            days[day] = name.strip()
        tables[year] = days
    return tables


@transaction.atomic
def calendar_load(*, path: Path, user: Actor = None) -> CalendarLoadResult:
    """Validate a calendar file, then bring the recorded calendar in line with it.

    Years of the file become confirmed; days missing from the recorded calendar are added and
    recorded days the file no longer lists (or renames) are retired. Loading the same file
    twice changes nothing.
    """
    tables = parse_calendar(path)
    now = timezone.now()
    reason = f"chargé depuis {path.name}"
    result = CalendarLoadResult()
    for year, days in sorted(tables.items()):
        if not CalendarYear.objects.filter(year=year).exists():
            CalendarYear.objects.create(
                year=year, confirmed_at=now, confirmed_by_id=_id(user), source=path.name
            )
            result.years_confirmed.append(year)
        recorded = {
            c.date: c
            for c in ClosureDay.objects.select_for_update().current().filter(date__year=year)
        }
        for day, closure in recorded.items():
            if days.get(day) != closure.name:
                _retire(closure, user, reason, now)
                result.retired.append(closure)
        for day, name in days.items():
            if day not in recorded or recorded[day].name != name:
                result.added.append(_record(day, name, user, reason, now))
    return result


def _tables(at: datetime | None) -> dict[int, dict[date, str]]:
    years = CalendarYear.objects.all()
    days = ClosureDay.objects.current()
    if at is not None:
        years = years.filter(confirmed_at__lte=at)
        days = ClosureDay.objects.known_at(at)
    tables: dict[int, dict[date, str]] = {y: {} for y in years.values_list("year", flat=True)}
    for day, name in days.values_list("date", "name"):
        if day.year in tables:
            tables[day.year][day] = name
    return tables


_cache: dict[tuple[object, ...], BusinessCalendar] = {}


def _stamp() -> tuple[object, ...]:
    """What changes whenever a year is confirmed or a closure day recorded or retired: one
    round trip, since every page that shows a due date asks for it."""
    q = connection.ops.quote_name
    years, days = q(CalendarYear._meta.db_table), q(ClosureDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {years}), (SELECT MAX(confirmed_at) FROM {years}),"  # noqa: S608 (table names from the models)
            f" (SELECT COUNT(*) FROM {days}), (SELECT MAX(recorded_at) FROM {days}),"
            f" (SELECT MAX(retired_at) FROM {days})"
        )
        row = cursor.fetchone()
    return tuple(row)


@functools.cache
def _file_calendar() -> BusinessCalendar:
    return BusinessCalendar.build(parse_calendar(Path(settings.GUICHET_CALENDAR_FILE)))


def business_calendar(at: datetime | None = None) -> BusinessCalendar:
    """The business calendar as recorded now, or as it was known at instant `at`.

    Confirmed years use their recorded days; every other year uses the rule (provisional).
    The current calendar is cached per process and rebuilt when any row changes. Before any
    calendar is recorded (a database not yet migrated or loaded), the calendar file itself is
    used, so that a command never answers with the rule alone for a year that has a table.
    """
    return current_calendar()[1] if at is None else _calendar_at(at)


def current_calendar() -> tuple[str, BusinessCalendar]:
    """The business calendar as recorded now, with a stamp that changes whenever it does
    (for caches of anything computed with it)."""
    try:
        key = _stamp()
    except DatabaseError:
        return "file", _file_calendar()
    if not key[0]:
        return "file", _file_calendar()
    if key not in _cache:
        _cache.clear()
        _cache[key] = BusinessCalendar.build(_tables(None))
    return hashlib.sha256(repr(key).encode()).hexdigest()[:16], _cache[key]


def _calendar_at(at: datetime) -> BusinessCalendar:
    try:
        recorded = _stamp()[0]
    except DatabaseError:
        recorded = 0
    return BusinessCalendar.build(_tables(at)) if recorded else _file_calendar()


def closures_of_year(year: int, at: datetime | None = None) -> list[Closure]:
    return business_calendar(at).closures_in(year)
