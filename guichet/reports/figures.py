"""Figures over groups of clocks: share met, volume, median and 90th percentile.

Everything is exact integer arithmetic, so the same clocks always give the same figures:
- the share met is met / stopped, rounded half up to a tenth of a percent for display;
- percentiles use the nearest-rank method: the smallest number of business days such that at
  least q % of the clocks took no more. For 1, 2, 3, 4 clocks the median is the 1st, 1st, 2nd,
  2nd value in order; the 90th percentile of 10 values is the 9th.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Result:
    """The clocks of one group that stopped: how many, how many met, how long they took."""

    met: int
    volume: int
    median: int | None
    p90: int | None

    @property
    def missed(self) -> int:
        return self.volume - self.met

    @property
    def tenths(self) -> int | None:
        """The share met in tenths of a percent, rounded half up (None without a clock)."""
        return share_tenths(self.met, self.volume)


EMPTY = Result(0, 0, None, None)


def share_tenths(met: int, volume: int) -> int | None:
    if volume <= 0:
        return None
    return (2000 * met + volume) // (2 * volume)


def percent_text(tenths: int | None, *, decimal: str = ".") -> str:
    """87.5 (or 87,5 in French prose); empty without a value."""
    if tenths is None:
        return ""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{sign}{whole}{decimal}{tenth}"


def rank_index(n: Ints, percent: int) -> Ints:
    """Index (0-based) of the nearest-rank `percent` percentile in n sorted values."""
    return np.maximum((n * percent + 99) // 100, 1) - 1


def groups(keys: Ints) -> tuple[Ints, Ints]:
    """The distinct keys, and for each key its group (index into them): `np.unique` with
    `return_inverse`, by counting when the keys are small non-negative integers (ids)."""
    top = int(keys.max()) + 1
    if keys.min() >= 0 and top <= 4 * keys.size + 1_000_000:
        present = np.bincount(keys, minlength=top) > 0
        unique = np.flatnonzero(present)
        index = np.cumsum(present) - 1
        return unique, index[keys]
    unique, group = np.unique(keys, return_inverse=True)
    return unique, group


def summarize(
    keys: Ints, elapsed: Ints, met: Bools, counts: Ints | None = None
) -> dict[int, Result]:
    """One Result per distinct key, for stopped clocks with their business days and outcome;
    with `counts`, each row stands for that many clocks (rows grouped by the database)."""
    if keys.size == 0:
        return {}
    unique, group = groups(keys)
    if counts is None:
        sizes = np.bincount(group, minlength=unique.size)
        met_counts = np.bincount(group, weights=met, minlength=unique.size).astype(np.int64)
    else:
        sizes = np.bincount(group, weights=counts, minlength=unique.size).astype(np.int64)
        met_counts = np.bincount(group, weights=counts * met, minlength=unique.size).astype(
            np.int64
        )
    median, p90 = _percentiles(group, sizes, elapsed, counts)
    return {
        int(k): Result(int(m), int(c), int(a), int(b))
        for k, m, c, a, b in zip(
            unique.tolist(),
            met_counts.tolist(),
            sizes.tolist(),
            median.tolist(),
            p90.tolist(),
            strict=True,
        )
    }


def _percentiles(
    group: Ints, counts: Ints, values: Ints, weights: Ints | None = None
) -> tuple[Ints, Ints]:
    """Nearest-rank median and 90th percentile of `values` in each group (each value counted
    `weights` times when given)."""
    groups = counts.size
    top = int(values.max()) + 1
    if values.min() >= 0 and groups * top <= 4_000_000:
        # Business days are small integers: a histogram per group, then the first day at which
        # the running count reaches the rank. Linear, no sort.
        hist = np.bincount(group * top + values, weights=weights, minlength=groups * top)
        running = np.cumsum(hist.astype(np.int64).reshape(groups, top), axis=1)
        median = np.argmax(running >= rank_index(counts, 50)[:, None] + 1, axis=1)
        p90 = np.argmax(running >= rank_index(counts, 90)[:, None] + 1, axis=1)
        return median.astype(np.int64), p90.astype(np.int64)
    if weights is not None:
        group, values = np.repeat(group, weights), np.repeat(values, weights)
    order = np.lexsort((values, group))
    ordered = values[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return ordered[starts + rank_index(counts, 50)], ordered[starts + rank_index(counts, 90)]


def shares(keys: Ints, met: Bools, counts: Ints | None = None) -> dict[int, tuple[int, int]]:
    """(met, volume) per distinct key: the figures of a chart, without percentiles (each row
    counted `counts` times when given)."""
    if keys.size == 0:
        return {}
    unique, group = groups(keys)
    weights = np.ones(keys.size, dtype=np.int64) if counts is None else counts
    sizes = np.bincount(group, weights=weights, minlength=unique.size).astype(np.int64)
    met_counts = np.bincount(group, weights=weights * met, minlength=unique.size).astype(np.int64)
    return {
        int(k): (int(m), int(c))
        for k, m, c in zip(unique.tolist(), met_counts.tolist(), sizes.tolist(), strict=True)
    }


def count_by(keys: Ints) -> dict[int, int]:
    if keys.size == 0:
        return {}
    unique, counts = np.unique(keys, return_counts=True)
    return dict(zip(unique.tolist(), counts.tolist(), strict=True))
