"""The registry of commitments measured outside the dossiers: meetings, calls, voice mails,
e-mails, complaints. Each app that keeps a promise of the declaration says, in a module
`guichet/<app>/measures.py`, which clocks stopped in a period:

    from guichet.measures import Stopped, register_measure

    @register_measure("appointments")
    def stopped(first_day: date, last_day: date) -> Stopped:
        ...
        return Stopped.of(
            commitment=[...],  # Commitment pk of each clock
            stop_day=[...],  # date.toordinal() of the day it stopped, within the period
            elapsed=[...],  # what it took, in the commitment's unit (business days, seconds…)
            met=[...],  # True when it kept the commitment
            unit=[...],  # accounts.Unit pk whose work it was, 0 when none (the whole ministry)
            measured=commitment_pks,  # every commitment the app measures, even with no clock
        )

A clock counts in the period in which it stopped, as for dossiers (docs/reports.md); the
reports app (dashboard and annual report) summarises these arrays with the dossiers' own and
never needs to know the apps. This module imports no app: every app registers here.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Stopped:
    """Clocks stopped in a period, one entry per clock, as parallel arrays."""

    commitment: np.ndarray  # int64
    stop_day: np.ndarray  # int64, proleptic Gregorian ordinal
    elapsed: np.ndarray  # int64
    met: np.ndarray  # bool
    unit: np.ndarray  # int64, 0 when the clock belongs to no unit
    measured: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        *,
        commitment: Sequence[int] | np.ndarray,
        stop_day: Sequence[int] | np.ndarray,
        elapsed: Sequence[int] | np.ndarray,
        met: Sequence[bool] | np.ndarray,
        unit: Sequence[int] | np.ndarray | None = None,
        measured: Iterable[int] = (),
    ) -> "Stopped":
        size = len(commitment)
        arrays = (
            np.asarray(commitment, dtype=np.int64),
            np.asarray(stop_day, dtype=np.int64),
            np.asarray(elapsed, dtype=np.int64),
            np.asarray(met, dtype=bool),
            np.zeros(size, dtype=np.int64) if unit is None else np.asarray(unit, dtype=np.int64),
        )
        if any(a.shape != (size,) for a in arrays):
            raise ValueError("the arrays of stopped clocks must have one entry per clock")
        return cls(*arrays, measured=frozenset(measured))

    @classmethod
    def empty(cls) -> "Stopped":
        return cls.of(commitment=[], stop_day=[], elapsed=[], met=[])

    @classmethod
    def concat(cls, parts: Sequence["Stopped"]) -> "Stopped":
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.commitment for p in parts]),
            np.concatenate([p.stop_day for p in parts]),
            np.concatenate([p.elapsed for p in parts]),
            np.concatenate([p.met for p in parts]),
            np.concatenate([p.unit for p in parts]),
            frozenset().union(*(p.measured for p in parts)),
        )

    def take(self, mask: np.ndarray) -> "Stopped":
        return Stopped(
            self.commitment[mask],
            self.stop_day[mask],
            self.elapsed[mask],
            self.met[mask],
            self.unit[mask],
            self.measured,
        )

    def __len__(self) -> int:
        return int(self.commitment.size)


Measure = Callable[[date, date], Stopped]

_MEASURES: dict[str, Measure] = {}
_discovered = False


def register_measure(key: str) -> Callable[[Measure], Measure]:
    """Register `measure(first_day, last_day) -> Stopped` under `key` (the app's label)."""

    def decorator(measure: Measure) -> Measure:
        known = _MEASURES.get(key)
        if known is not None and known.__qualname__ != measure.__qualname__:
            raise ValueError(f"measure {key!r} is registered twice")
        _MEASURES[key] = measure
        forget_recent()
        return measure

    return decorator


def measures() -> dict[str, Measure]:
    global _discovered
    if not _discovered:
        autodiscover_modules("measures")
        _discovered = True
    return dict(_MEASURES)


# The dashboard asks on every page; it reads the apps' clocks again at most this often (the
# annual report always reads them fresh).
RECENT_SECONDS = 60
_recent: dict[tuple[date, date], tuple[float, Stopped]] = {}


def stopped_recently(first_day: date, last_day: date) -> Stopped:
    """`stopped_between`, kept RECENT_SECONDS per period in this process: the apps compute
    their clocks from their rows (tens of milliseconds for a year of meetings)."""
    key, now = (first_day, last_day), time.monotonic()
    hit = _recent.get(key)
    if hit is not None and now - hit[0] < RECENT_SECONDS:
        return hit[1]
    value = stopped_between(first_day, last_day)
    if len(_recent) > 64:
        _recent.clear()
    _recent[key] = (now, value)
    return value


def forget_recent() -> None:
    _recent.clear()


def stopped_between(first_day: date, last_day: date) -> Stopped:
    """Every registered app's clocks that stopped from `first_day` to `last_day`, both included."""
    parts = []
    low, high = first_day.toordinal(), last_day.toordinal()
    for measure in measures().values():
        part = measure(first_day, last_day)
        parts.append(part.take((part.stop_day >= low) & (part.stop_day <= high)))
    return Stopped.concat(parts)


# --- Shares: results that are a proportion, not a clock (satisfaction surveys) --------------


@dataclass(frozen=True)
class ShareRow:
    """One line of a section of shares in the dashboard and the annual report: e.g. the share
    of satisfied answers to a survey question (`code` "satisfaction-courtoisie"), for the whole
    ministry (`group` "") or one service. `shown` is False when the group is too small to
    be shown (the app's rule, e.g. fewer than 5 answers): then nothing but the label is."""

    code: str
    label: str  # French
    group: str  # "" for the whole ministry, else the service's name
    numerator: int
    denominator: int
    shown: bool
    share_tenths: int | None = None  # 875 is 87.5 %
    low_tenths: int | None = None  # 95 % confidence interval
    high_tenths: int | None = None


ShareMeasure = Callable[[date, date], list[ShareRow]]

_SHARES: dict[str, ShareMeasure] = {}
_shares_discovered = False


def register_shares(key: str) -> Callable[[ShareMeasure], ShareMeasure]:
    """Register `shares(first_day, last_day) -> list[ShareRow]` under `key` (the app's label)."""

    def decorator(measure: ShareMeasure) -> ShareMeasure:
        known = _SHARES.get(key)
        if known is not None and known.__qualname__ != measure.__qualname__:
            raise ValueError(f"shares {key!r} are registered twice")
        _SHARES[key] = measure
        return measure

    return decorator


def shares_between(first_day: date, last_day: date) -> list[ShareRow]:
    """Every registered app's shares for the period, in the apps' order."""
    global _shares_discovered
    if not _shares_discovered:
        autodiscover_modules("measures")
        _shares_discovered = True
    rows: list[ShareRow] = []
    for measure in _SHARES.values():
        rows.extend(measure(first_day, last_day))
    return rows


# --- Counts: what is counted, not timed (referrals to partner organizations) ----------------


@dataclass(frozen=True)
class CountRow:
    """One line of a section of counts in the annual report (e.g. code "orientations")."""

    code: str
    label: str  # French
    group: str  # "" for the total
    count: int


CountMeasure = Callable[[date, date], list[CountRow]]
_COUNTS: dict[str, CountMeasure] = {}


def register_counts(key: str) -> Callable[[CountMeasure], CountMeasure]:
    """Register `counts(first_day, last_day) -> list[CountRow]` under `key`."""

    def decorator(measure: CountMeasure) -> CountMeasure:
        _COUNTS[key] = measure
        return measure

    return decorator


def counts_between(first_day: date, last_day: date) -> list[CountRow]:
    measures()  # every app's measures module imported
    rows: list[CountRow] = []
    for measure in _COUNTS.values():
        rows.extend(measure(first_day, last_day))
    return rows
