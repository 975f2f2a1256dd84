"""The business-day calendar: closure days plus the ordinal table that makes counting a subtraction.

The business-day ordinal of a date is the number of business days from the calendar's first day
up to and including that date. Business days in (a, b] are then `ordinal(b) - ordinal(a)`, for
any two dates, whatever falls between them. The same table serves the scalar functions, the numpy
batch path, and (later) PostgreSQL reports.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from guichet.clock.closures import quebec_closure_days

# The ordinal table covers these years (about 380 kB). Starting on 1970-01-01, numpy's epoch,
# lets the batch path index it with the raw integer value of a datetime64[D].
FIRST_YEAR = 1970
LAST_YEAR = 2100


class CalendarRangeError(ValueError):
    """A date (or a due date) falls outside the years the calendar covers."""


@dataclass(frozen=True)
class Closure:
    day: date
    name: str
    provisional: bool


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Closure days and the business-day ordinal over `first_year`..`last_year`.

    Build it with `BusinessCalendar.build(tables)`: years present in `tables` use their table
    (confirmed data); every other year uses the rule, and its days are marked provisional.
    """

    closures: Mapping[date, Closure]
    first_day: date
    last_day: date
    # ordinals[i] = business days in [first_day, first_day + i]
    ordinals: npt.NDArray[np.int64] = field(repr=False)
    # business_offsets[k - 1] = day offset of the business day whose ordinal is k
    business_offsets: npt.NDArray[np.int64] = field(repr=False)
    # Python copies for scalar look-ups (list indexing beats numpy scalar indexing tenfold).
    _ordinal_list: list[int] = field(repr=False)
    _offset_list: list[int] = field(repr=False)

    @classmethod
    def build(
        cls,
        tables: Mapping[int, Mapping[date, str]],
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> "BusinessCalendar":
        closures: dict[date, Closure] = {}
        for year in range(first_year, last_year + 1):
            table = tables.get(year)
            days = table if table is not None else quebec_closure_days(year)
            for day, name in days.items():
                if day.year != year:
                    raise ValueError(f"closure day {day.isoformat()} filed under year {year}")
                closures[day] = Closure(day, name, provisional=table is None)
        first_day, last_day = date(first_year, 1, 1), date(last_year, 12, 31)
        n_days = (last_day - first_day).days + 1
        weekday_of_first = first_day.weekday()
        weekdays = (np.arange(n_days) + weekday_of_first) % 7
        business = weekdays < 5
        closed_offsets = [(day - first_day).days for day in closures]
        business[closed_offsets] = False
        ordinals = np.cumsum(business, dtype=np.int64)
        offsets = np.flatnonzero(business).astype(np.int64)
        return cls(
            closures=closures,
            first_day=first_day,
            last_day=last_day,
            ordinals=ordinals,
            business_offsets=offsets,
            _ordinal_list=ordinals.tolist(),
            _offset_list=offsets.tolist(),
        )

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def offset(self, day: date) -> int:
        if not self.first_day <= day <= self.last_day:
            raise CalendarRangeError(
                f"{day.isoformat()} is outside the calendar "
                f"({self.first_day.isoformat()} to {self.last_day.isoformat()})"
            )
        return (day - self.first_day).days

    def ordinal(self, day: date) -> int:
        """Business days from the first day of the calendar up to and including `day`."""
        return self._ordinal_list[self.offset(day)]

    def business_day(self, ordinal: int) -> date:
        """The business day whose ordinal is `ordinal` (1 is the first business day)."""
        if not 1 <= ordinal <= len(self._offset_list):
            raise CalendarRangeError(f"business day number {ordinal} is outside the calendar")
        return self.first_day + timedelta(days=self._offset_list[ordinal - 1])

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not a closure day."""
        return day.weekday() < 5 and day not in self.closures

    def closure(self, day: date) -> Closure | None:
        return self.closures.get(day)

    def closures_in(self, year: int) -> list[Closure]:
        return [c for day, c in sorted(self.closures.items()) if day.year == year]

    def holidays(self) -> list[date]:
        """Every closure day, for numpy.busday_* functions."""
        return sorted(self.closures)


def table_from_pairs(pairs: Iterable[tuple[date, str]]) -> dict[int, dict[date, str]]:
    """Group (date, name) pairs into per-year tables for `BusinessCalendar.build`."""
    tables: dict[int, dict[date, str]] = {}
    for day, name in pairs:
        tables.setdefault(day.year, {})[day] = name
    return tables
