"""The Québec public-service closure rule, for years that have no confirmed table.

Thirteen days a year (DOMAIN.md, "Closure days of the Québec public service"). When one falls on
a weekend the office closes on another day: the eves (December 24 and 31) move back to the Friday
before; June 24 and July 1 move a Saturday to the Friday before and a Sunday to the Monday after;
every other day moves forward to the next working day that is not already closed. The Conseil du
trésor confirms the list each year, so a year generated here is provisional until a person confirms
it (see docs/adr/0002-closure-calendar.md).
"""

from datetime import date, timedelta

JOUR_DE_L_AN = "Jour de l'An"
LENDEMAIN_JOUR_DE_L_AN = "Lendemain du jour de l'An"
VENDREDI_SAINT = "Vendredi saint"
LUNDI_DE_PAQUES = "Lundi de Pâques"
PATRIOTES = "Journée nationale des patriotes"
FETE_NATIONALE = "Fête nationale du Québec"
FETE_DU_CANADA = "Fête du Canada"
FETE_DU_TRAVAIL = "Fête du Travail"
ACTION_DE_GRACES = "Action de grâces"
VEILLE_DE_NOEL = "Veille de Noël"
NOEL = "Noël"
LENDEMAIN_DE_NOEL = "Lendemain de Noël"
VEILLE_JOUR_DE_L_AN = "Veille du jour de l'An"

_SATURDAY = 5


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _is_weekend(day: date) -> bool:
    return day.weekday() >= _SATURDAY


def quebec_closure_days(year: int) -> dict[date, str]:
    """The thirteen closure days of `year` by the rule, with their French names."""
    easter = easter_sunday(year)
    may_25 = date(year, 5, 25)
    # Monday strictly before May 25.
    patriotes = may_25 - timedelta(days=(may_25.weekday() - 0) % 7 or 7)
    on_weekdays: list[tuple[date, str]] = [
        (easter - timedelta(days=2), VENDREDI_SAINT),
        (easter + timedelta(days=1), LUNDI_DE_PAQUES),
        (patriotes, PATRIOTES),
        (_nth_weekday(year, 9, 0, 1), FETE_DU_TRAVAIL),
        (_nth_weekday(year, 10, 0, 2), ACTION_DE_GRACES),
    ]
    move_back = [(date(year, 12, 24), VEILLE_DE_NOEL), (date(year, 12, 31), VEILLE_JOUR_DE_L_AN)]
    nearest = [(date(year, 6, 24), FETE_NATIONALE), (date(year, 7, 1), FETE_DU_CANADA)]
    move_forward = [
        (date(year, 1, 1), JOUR_DE_L_AN),
        (date(year, 1, 2), LENDEMAIN_JOUR_DE_L_AN),
        (date(year, 12, 25), NOEL),
        (date(year, 12, 26), LENDEMAIN_DE_NOEL),
    ]

    closed: dict[date, str] = dict(on_weekdays)
    for day, name in move_back:
        closed[day - timedelta(days=day.weekday() - 4) if _is_weekend(day) else day] = name
    for day, name in nearest:
        if day.weekday() == _SATURDAY:
            day -= timedelta(days=1)
        elif day.weekday() == _SATURDAY + 1:
            day += timedelta(days=1)
        closed[day] = name
    # Days that stay put are placed first, so that a moved day skips past them.
    for day, name in move_forward:
        if not _is_weekend(day):
            closed[day] = name
    for day, name in move_forward:
        if _is_weekend(day):
            while _is_weekend(day) or day in closed:
                day += timedelta(days=1)
            closed[day] = name
    return dict(sorted(closed.items()))
