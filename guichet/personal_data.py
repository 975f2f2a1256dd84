"""The registry of the personal-data export: each app says, in a module
`guichet/<app>/personal_data.py`, what it holds about a person, one function per section:

    from guichet.personal_data import register_section

    @register_section(
        "mandats",
        title="Mandats donnés à un consultant",
        description="Les mandats que vous avez donnés, leurs dates et leur révocation.",
        order=40,
    )
    def section(user: User) -> dict[str, Any]:
        return {"mandats": [...]}

A section returns only what is about `user`: other people (staff, other clients) appear as a
role ("vous", "le personnel du ministère"), never by name (`guichet.accounts.personal_data.Who`).
Values are JSON types, dates as ISO 8601 strings (`iso()`). The export itself, which calls
every section in `order`, is the privacy app's (guichet/privacy/export.py). This module
imports no app: every app registers here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

# A section of one person's export: the account (accounts.User) in, JSON-ready values out.
SectionProvider = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    provider: SectionProvider
    order: int


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, *, title: str, description: str, order: int = 100
) -> Callable[[SectionProvider], SectionProvider]:
    """Register `section(user) -> dict` under `key` (a JSON key, unique across apps)."""

    def decorator(provider: SectionProvider) -> SectionProvider:
        known = _SECTIONS.get(key)
        if known is not None and known.provider.__qualname__ != provider.__qualname__:
            raise ValueError(f"personal-data section {key!r} is registered twice")
        _SECTIONS[key] = Section(key, title, description, provider, order)
        return provider

    return decorator


def sections() -> list[Section]:
    """Every registered section, in order (each app's personal_data module imported first)."""
    autodiscover_modules("personal_data")
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def iso(value: date | datetime | None) -> str | None:
    """A date or a moment as ISO 8601 (moments in the local zone, to the second)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()
