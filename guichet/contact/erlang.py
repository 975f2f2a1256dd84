"""Erlang C staffing, in plain Python (no Django), for one interval of the contact centre.

For an interval of `period` seconds with `calls` offered and a mean handling time `aht`, the
offered load is A = calls·aht / period erlangs; with c agents the probability that a caller
waits is Erlang C(A, c), and the share answered within t seconds is 1 − C·e^(−(c − A)·t/aht)
(docs/contact.md, DOMAIN "Contact centre"). C is computed through the Erlang B recursion,
which stays exact in floating point for hundreds of agents where the factorials overflow.

Maintained libraries exist (pyworkforce), but they bring pandas and OR-Tools for these
twenty lines; `tests/test_erlang.py` holds this module against the textbook formula.
"""

import math

HALF_HOUR = 1800


def offered_load(calls: float, aht: float, period: int = HALF_HOUR) -> float:
    """Erlangs offered by `calls` calls of `aht` seconds each in `period` seconds."""
    return calls * aht / period


def erlang_c(load: float, agents: int) -> float:
    """Probability that a call waits, with `agents` agents and `load` erlangs (1 when the
    agents cannot keep up: agents ≤ load)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return agents * blocking / (agents - load * (1 - blocking))


def service_level(
    calls: float, aht: float, agents: int, within: float, period: int = HALF_HOUR
) -> float:
    """Share of calls answered within `within` seconds with `agents` agents."""
    load = offered_load(calls, aht, period)
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    waits = erlang_c(load, agents)
    return max(0.0, 1.0 - waits * math.exp(-(agents - load) * within / aht))


def agents_needed(
    calls: float, aht: float, target: float, within: float, period: int = HALF_HOUR
) -> tuple[int, float]:
    """The fewest agents whose service level reaches `target`, and that service level."""
    if not 0 < target < 1:
        raise ValueError("the target is a share strictly between 0 and 1")
    if calls < 0 or aht < 0 or within < 0:
        raise ValueError("calls, handling time and answer time cannot be negative")
    load = offered_load(calls, aht, period)
    if load <= 0:
        return 0, 1.0
    agents = math.floor(load) + 1
    while True:
        level = service_level(calls, aht, agents, within, period)
        if level >= target:
            return agents, level
        agents += 1
