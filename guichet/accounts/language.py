"""The language a person is served in: one rule for screens, letters and e-mails.

French is the language of the administration and prevails (DOMAIN.md, "Language of service").
A client is served in English or Spanish *in addition to* French only on a recorded basis that
is valid on the day: an immigrant within six months of arrival in Québec, a client living
outside Québec, eligibility for English instruction, or health, safety or natural justice.
Staff are always served in French. Anonymous visitors cannot have a basis: they may choose the
language of public pages (see `LanguageMiddleware` and docs/languages.md).
"""

import calendar
from datetime import date, timedelta

from django.conf import settings

from guichet.accounts.models import (
    LanguageChange,
    LanguageOfService,
    User,
    arrival_of,
    is_staff_request_user,
)

FRENCH = "fr"
# What a visitor may choose for public pages: the languages the portal is written in.
VISITOR_LANGUAGES = ("fr", "en", "es")
# In a client's session: they asked for French although a basis gives them another language.
PREFERS_FRENCH_KEY = "guichet_prefers_french"
ARRIVAL_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter
    (31 August + 6 months = 28 or 29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recent_arrival_valid_until(arrived_on: date) -> date:
    """The last day of the six months after arrival: arrived 15 January, served in English up
    to 14 July; French only from 15 July."""
    return add_months(arrived_on, ARRIVAL_MONTHS) - timedelta(days=1)


def serves_in_french_only(user: object) -> bool:
    """Staff screens are in French: unit members, global roles, Django staff and superusers."""
    if not isinstance(user, User):
        return False
    # Asked by the middleware and by the page's language switch: one lookup per request (the
    # user object lives as long as the request).
    known: bool | None = getattr(user, "_serves_in_french_only", None)
    if known is None:
        known = user.is_staff or user.is_superuser or is_staff_request_user(user)
        user._serves_in_french_only = known
    return known


def latest_record(user: User | int) -> LanguageOfService | None:
    """The last change of the person's language of service (a declaration or an end); the
    person's account or its id."""
    return LanguageOfService.objects.filter(user=user).order_by("-id").first()


def current_declaration(user: User | int) -> LanguageOfService | None:
    """The declaration in force, valid or past its last day; None once it was ended."""
    record = latest_record(user)
    return record if record is not None and record.change == LanguageChange.DECLARED else None


def current_declaration_on_arrival(user: User) -> LanguageOfService | None:
    """`current_declaration` for the middleware: no query when the account's own read showed
    that its latest change is no declaration (`arrival_of`), as for most people."""
    arrival = arrival_of(user)
    if arrival is not None and arrival.language_change != LanguageChange.DECLARED:
        return None
    return current_declaration(user)


def language_basis(user: object, today: date) -> LanguageOfService | None:
    """The declaration that gives `user` another language than French on `today`, if any."""
    if not isinstance(user, User) or not user.pk or serves_in_french_only(user):
        return None
    record = current_declaration(user)
    return record if record is not None and record.valid_on(today) else None


def language_of_service(user: object, today: date) -> str:
    """The language of service of `user` on `today`: "fr", or the language of a valid basis.

    French comes with every other language: letters carry it first, and the portal's
    "Français" switch always works. This answers which *other* language applies."""
    basis = language_basis(user, today)
    return basis.language if basis is not None else FRENCH


def letter_languages(user: object, day: date) -> tuple[str, ...]:
    """The languages of a letter dated `day` to `user`: French, then the basis language."""
    other = language_of_service(user, day)
    return (FRENCH,) if other == FRENCH else (FRENCH, other)


def expired_declaration(user: User, today: date) -> LanguageOfService | None:
    """A declaration still in force but past its last day (the portal tells the person once)."""
    record = current_declaration(user)
    if record is None or record.valid_on(today):
        return None
    return record


def visitor_language(cookie: str | None) -> str:
    """An anonymous visitor's language: French unless they chose another for public pages."""
    return cookie if cookie in VISITOR_LANGUAGES else FRENCH


def language_name(code: str) -> str:
    """The name of a language in that language ("English", "Español"), as switchers show it."""
    return dict(settings.LANGUAGES).get(code, code)
