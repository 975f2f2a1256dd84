"""Share, median and 90th percentile: exact integer arithmetic, nearest rank."""

import numpy as np
import pytest

from guichet.reports import figures
from guichet.reports.figures import Result, percent_text, share_tenths, summarize


def arrays(*values: list[int]) -> list[np.ndarray]:
    return [np.array(v, dtype=np.int64) for v in values]


def test_nearest_rank_by_hand() -> None:
    keys, days = arrays([1, 2, 2, 3, 3, 3, 3, 4] + [5] * 10, [7, 9, 4, 1, 8, 3, 5, 6, *range(10)])
    met = days <= 5
    assert summarize(keys, days, met) == {
        1: Result(0, 1, 7, 7),
        2: Result(1, 2, 4, 9),  # median of 2 values: the 1st in order
        3: Result(3, 4, 3, 8),  # of 4: the 2nd; 90th percentile: the 4th
        4: Result(0, 1, 6, 6),
        5: Result(6, 10, 4, 8),  # of 10: the 5th and the 9th
    }


def test_the_histogram_and_the_sort_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 40, 5000)
    days = rng.integers(0, 300, 5000)
    met = days <= 20
    fast = summarize(keys, days, met)
    days_big = days.copy()
    days_big[0] = 10_000_000  # too wide for histograms: the sort path
    slow = summarize(keys, days_big, met)
    del fast[int(keys[0])], slow[int(keys[0])]
    assert fast == slow
    assert figures.shares(keys, met) == {
        k: (r.met, r.volume) for k, r in summarize(keys, days, met).items()
    }


@pytest.mark.parametrize(
    ("met", "volume", "tenths", "text"),
    [
        (2, 3, 667, "66.7"),
        (1, 8, 125, "12.5"),
        (7, 8, 875, "87.5"),
        (0, 4, 0, "0.0"),
        (5, 5, 1000, "100.0"),
    ],
)
def test_shares_round_half_up(met: int, volume: int, tenths: int, text: str) -> None:
    assert share_tenths(met, volume) == tenths
    assert percent_text(tenths) == text


def test_no_clock_no_share() -> None:
    assert share_tenths(0, 0) is None
    assert percent_text(None) == ""
    assert percent_text(-25) == "-2.5"
