"""Fiscal years of the Québec government: April 1 to March 31, written "2025-2026"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"(\d{4})-(\d{4})")
FIRST_YEAR = 1970
LAST_YEAR = 2099  # the business calendar ends in 2100


class FiscalYearError(ValueError):
    """Not a fiscal year; the message says why, in French."""


@dataclass(frozen=True, order=True)
class FiscalYear:
    start_year: int

    @classmethod
    def parse(cls, text: str) -> FiscalYear:
        found = _PATTERN.fullmatch(text.strip())
        if not found:
            raise FiscalYearError(
                f"exercice « {text} » invalide : écrivez deux années qui se suivent, "
                "p. ex. 2025-2026"
            )
        first, second = int(found.group(1)), int(found.group(2))
        if second != first + 1:
            raise FiscalYearError(
                f"exercice « {text} » invalide : un exercice va du 1er avril au 31 mars de "
                f"l'année suivante (p. ex. {first}-{first + 1})"
            )
        if not FIRST_YEAR <= first <= LAST_YEAR:
            raise FiscalYearError(
                f"exercice « {text} » invalide : l'année doit être entre {FIRST_YEAR} et "
                f"{LAST_YEAR}"
            )
        return cls(first)

    @classmethod
    def of(cls, day: date) -> FiscalYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    def minus(self, years: int) -> FiscalYear:
        return FiscalYear(self.start_year - years)

    def has_started(self, today: date) -> bool:
        return today >= self.first_day

    def is_closed(self, today: date) -> bool:
        return today > self.last_day

    def __str__(self) -> str:
        return self.label
