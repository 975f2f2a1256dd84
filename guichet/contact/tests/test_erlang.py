"""Erlang C against the textbook formula with factorials, in exact fractions."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.contact.erlang import agents_needed, erlang_c, service_level


def slow_erlang_c(load: Fraction, agents: int) -> Fraction:
    """C(A, c) = (A^c/c! · c/(c − A)) / (Σ_{k<c} A^k/k! + A^c/c! · c/(c − A))."""
    top = load**agents / math.factorial(agents) * Fraction(agents) / (agents - load)
    return top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)


def slow_agents(calls: int, aht: int, target: float, within: int) -> int:
    load = Fraction(calls * aht, 1800)
    agents = 1
    while True:
        if agents > load:
            waits = float(slow_erlang_c(load, agents))
            if 1 - waits * math.exp(-float(agents - load) * within / aht) >= target:
                return agents
        agents += 1


@settings(max_examples=150, deadline=None)
@given(
    calls=st.integers(min_value=1, max_value=400),
    aht=st.integers(min_value=30, max_value=900),
    extra=st.integers(min_value=1, max_value=30),
)
def test_erlang_c_matches_the_formula(calls: int, aht: int, extra: int) -> None:
    load = Fraction(calls * aht, 1800)
    agents = math.floor(load) + extra
    assert erlang_c(float(load), agents) == pytest.approx(
        float(slow_erlang_c(load, agents)), rel=1e-9
    )


@settings(max_examples=100, deadline=None)
@given(
    calls=st.integers(min_value=0, max_value=300),
    aht=st.integers(min_value=30, max_value=600),
    target=st.sampled_from([0.5, 0.8, 0.9, 0.95]),
    within=st.integers(min_value=0, max_value=300),
)
def test_the_fewest_agents(calls: int, aht: int, target: float, within: int) -> None:
    agents, level = agents_needed(calls, aht, target, within)
    if calls == 0:
        assert (agents, level) == (0, 1.0)
        return
    assert agents == slow_agents(calls, aht, target, within)
    assert level >= target
    assert service_level(calls, aht, agents - 1, within) < target


def test_no_more_agents_than_the_load_keeps_nobody_answered() -> None:
    assert erlang_c(10.0, 10) == 1.0
    assert service_level(100, 180, 10, 180) == 0.0
    with pytest.raises(ValueError):
        agents_needed(10, 180, 1.0, 180)
