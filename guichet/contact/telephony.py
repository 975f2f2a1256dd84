"""The telephone figures of a period, computed with numpy from the calls (DOMAIN "Contact centre").

A call belongs to the office hours and to the local date of the moment it entered the queue.
Office hours: Monday to Friday from 8:00 (Wednesday from 10:30) until before 16:30, never on
a closure day. Over calls entered during office hours:

    offered              every call that entered the queue
    short_abandoned      hung up after waiting 5 s or less (left out of the denominator)
    answered             answered by an agent
    answered_within_target  answered after waiting 180 s or less
    abandoned            hung up after waiting more than 5 s
    service_level        answered_within_target ÷ (offered − short_abandoned)
    abandonment_rate     abandoned ÷ (offered − short_abandoned)
    asa_s                mean wait of the answered calls
    wait_p90_s           the smallest wait w such that 90 % of the answered calls waited w or less

A call that left by timeout, by key (voice mail) or because no agent was there is not answered
and counts in the denominator; one whose outcome is not yet in the log counts as offered and
not answered. Calls entered outside office hours are counted apart (`out_of_hours`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from guichet.calendars.services import business_calendar
from guichet.contact.models import Call, CallOutcome, MemberEvent, MemberEventKind
from guichet.contact.queuelog import EPOCH_ORDINAL, LocalTime

TELEPHONE_COMMITMENT = "renseignements-telephone-reponse"
TARGET_S = 180
SHORT_ABANDON_S = 5
OPENS_S = 8 * 3600
OPENS_WEDNESDAY_S = 10 * 3600 + 1800
CLOSES_S = 16 * 3600 + 1800
SLOTS = range(OPENS_S // 1800, CLOSES_S // 1800)  # half hours 16 (8:00) to 32 (16:00)
# The annual report states it in its header (guichet/reports/formats.py).
SERVICE_LEVEL_RULE = (
    "Téléphone (réponse en 3 minutes) : niveau de service = appels répondus en 180 secondes "
    "ou moins ÷ (appels offerts − abandons courts). Appels offerts : appels entrés dans la "
    "file des agents (après le menu automatisé) pendant les heures d'ouverture (du lundi au "
    "vendredi de 8 h à 16 h 30, le mercredi dès 10 h 30, sauf jours de fermeture ; heure "
    "locale de l'entrée dans la file). Abandons courts : appelants qui ont raccroché après "
    "5 secondes d'attente ou moins. Un appel sorti de la file sans réponse (délai maximal, "
    "message laissé) compte comme non répondu. Médiane et 90e centile : attente, en secondes."
)
MESSAGES_RULE = (
    "Messages vocaux (1 jour ouvrable) et courriels (5 jours ouvrables) : la date d'arrivée "
    "du message (jour 0) ne compte pas, quelle qu'en soit l'heure ; le délai s'arrête le jour "
    "du rappel ou de l'envoi de la réponse."
)
KEYS = (
    "offered",
    "short_abandoned",
    "answered",
    "answered_within_target",
    "abandoned",
    "out_of_hours",
    "service_level",
    "asa_s",
    "wait_p90_s",
    "abandonment_rate",
)
OUTCOME_CODES = {"": 0, **{value: i + 1 for i, value in enumerate(CallOutcome.values)}}
ANSWERED = OUTCOME_CODES[CallOutcome.ANSWERED.value]
ABANDONED = OUTCOME_CODES[CallOutcome.ABANDONED.value]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Calls:
    """Calls of a period as parallel arrays."""

    day: Ints  # local date ordinal
    second: Ints  # second of the local day
    outcome: Ints  # OUTCOME_CODES
    wait: Ints  # -1 when unknown
    talk: Ints  # -1 when unknown

    def __len__(self) -> int:
        return int(self.day.size)

    def take(self, mask: Bools) -> Calls:
        return Calls(
            self.day[mask], self.second[mask], self.outcome[mask], self.wait[mask], self.talk[mask]
        )

    @property
    def weekday(self) -> Ints:
        return (self.day - 1) % 7  # date(1, 1, 1) is a Monday

    @property
    def slot(self) -> Ints:
        return self.second // 1800


def load_calls(first_day: date, last_day: date, queue: str | None = None) -> Calls:
    """The calls that entered a queue from `first_day` to `last_day` (local dates, included)."""
    table = Call._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    codes = " ".join(f"WHEN '{value}' THEN {code}" for value, code in OUTCOME_CODES.items())
    # The table and the outcome codes are the code's own; every value is a parameter.
    sql = (
        f"SELECT entered_at, CASE outcome {codes} ELSE 0 END, COALESCE(wait_s, -1), "  # noqa: S608
        f"COALESCE(talk_s, -1) FROM {table} "
        "WHERE day >= %s AND day <= %s AND entered_at IS NOT NULL"
    )
    params: list[Any] = [adapt(first_day), adapt(last_day)]
    if queue:
        sql += " AND queue = %s"
        params.append(queue)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    table_ = np.array(rows, dtype=np.int64).reshape(-1, 4)
    entered = table_[:, 0]
    # The UTC offset of each hour, looked up once per distinct hour (it changes on the hour).
    hours, where = np.unique(entered // 3600, return_inverse=True)
    local = LocalTime()
    offsets = np.array([local.offset(int(h)) for h in hours], dtype=np.int64)
    moment = entered + offsets[where]
    return Calls(
        moment // 86400 + EPOCH_ORDINAL,
        moment % 86400,
        np.ascontiguousarray(table_[:, 1]),
        np.ascontiguousarray(table_[:, 2]),
        np.ascontiguousarray(table_[:, 3]),
    )


def closure_ordinals(first_day: date, last_day: date) -> Ints:
    cal = business_calendar()
    return np.array(
        [d.toordinal() for d in cal.closures if first_day <= d <= last_day], dtype=np.int64
    )


def in_office_hours(calls: Calls, closures: Ints) -> Bools:
    weekday = calls.weekday
    opens = np.where(weekday == 2, OPENS_WEDNESDAY_S, OPENS_S)
    return (
        (weekday < 5)
        & ~np.isin(calls.day, closures)
        & (calls.second >= opens)
        & (calls.second < CLOSES_S)
    )


def p90(waits: Ints) -> int | None:
    """Nearest rank: the smallest w with at least 90 % of the waits ≤ w."""
    if waits.size == 0:
        return None
    rank = math.ceil(0.9 * waits.size)
    return int(np.partition(waits, rank - 1)[rank - 1])


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def weighted_figures(
    outcome: Ints, wait: Ints, count: Ints, out_of_hours: int, target: int = TARGET_S
) -> dict[str, Any]:
    """The figures of the module docstring (exactly the keys of `KEYS`) from the calls entered
    during office hours grouped by outcome and wait: `count[i]` calls had `outcome[i]` after
    waiting `wait[i]` seconds (-1: unknown)."""
    abandoned_any = outcome == ABANDONED
    short = abandoned_any & (wait >= 0) & (wait <= SHORT_ABANDON_S)
    answered = (outcome == ANSWERED) & (wait >= 0)
    order = np.argsort(wait[answered], kind="stable")
    waits, weights = wait[answered][order], count[answered][order]
    n_answered = int(count[outcome == ANSWERED].sum())
    n_waits = int(weights.sum())
    within = int(weights[waits <= target].sum())
    n_short = int(count[short].sum())
    abandoned = int(count[abandoned_any & ~short].sum())
    offered = int(count.sum())
    denominator = offered - n_short
    p90 = None
    if n_waits:
        rank = math.ceil(0.9 * n_waits)
        p90 = int(waits[int(np.searchsorted(np.cumsum(weights), rank))])
    return {
        "offered": offered,
        "short_abandoned": n_short,
        "answered": n_answered,
        "answered_within_target": within,
        "abandoned": abandoned,
        "out_of_hours": out_of_hours,
        "service_level": _share(within, denominator),
        "asa_s": round(float((waits * weights).sum()) / n_waits, 1) if n_waits else None,
        "wait_p90_s": p90,
        "abandonment_rate": _share(abandoned, denominator),
    }


def figures(calls: Calls, in_hours: Bools, target: int = TARGET_S) -> dict[str, Any]:
    """`weighted_figures` of calls given one by one."""
    inside = calls.take(in_hours)
    return weighted_figures(
        inside.outcome,
        inside.wait,
        np.ones(len(inside), dtype=np.int64),
        int(in_hours.size - np.count_nonzero(in_hours)),
        target,
    )


def telephone_stats(first_day: date, last_day: date, queue: str | None = None) -> dict[str, Any]:
    """The figures of the calls entered from `first_day` to `last_day` (local dates).

    The database tells office hours from the stored local date, weekday and second of the day
    (plain comparisons, no date function) and returns one integer per call packing that flag,
    the outcome and the wait; numpy unpacks them and computes the figures. (Grouping in the
    database sorts every call: slower than this on SQLite.)"""
    table = Call._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    closures = [adapt(date.fromordinal(int(o))) for o in closure_ordinals(first_day, last_day)]
    codes = " ".join(f"WHEN '{value}' THEN {code}" for value, code in OUTCOME_CODES.items())
    open_day = "day NOT IN ({})".format(", ".join(["%s"] * len(closures))) if closures else "1 = 1"
    inside = (
        f"weekday <= 5 AND {open_day} AND second_of_day < {CLOSES_S} AND ("
        f"(weekday = 3 AND second_of_day >= {OPENS_WEDNESDAY_S}) OR "
        f"(weekday <> 3 AND second_of_day >= {OPENS_S}))"
    )
    # The table, the outcome codes and the hours are the code's own; values are parameters.
    sql = (
        f"SELECT (CASE WHEN {inside} THEN 1 ELSE 0 END) * 1099511627776 "  # noqa: S608
        f"+ (CASE outcome {codes} ELSE 0 END) * 4294967296 + COALESCE(wait_s, -1) + 1 "
        f"FROM {table} WHERE day >= %s AND day <= %s AND entered_at IS NOT NULL"
    )
    params: list[Any] = [*closures, adapt(first_day), adapt(last_day)]
    if queue:
        sql += " AND queue = %s"
        params.append(queue)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    packed = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    in_hours = (packed >> 40).astype(bool)
    kept = packed[in_hours]
    return weighted_figures(
        (kept >> 32) & 0xFF,
        (kept & 0xFFFFFFFF) - 1,
        np.ones(kept.size, dtype=np.int64),
        int(packed.size - kept.size),
    )


@dataclass(frozen=True)
class Breakdown:
    """The page's figures: the whole period, per day, per half hour, and the waits."""

    total: dict[str, Any]
    days: list[tuple[date, dict[str, Any]]]
    slots: list[tuple[str, dict[str, Any]]]
    out_of_hours_days: list[tuple[date, int]]
    wait_bins: list[tuple[str, int]]


WAIT_EDGES = (0, 30, 60, 120, 180, 300, 600)


def slot_label(slot: int) -> str:
    return f"{slot // 2:02d} h {30 * (slot % 2):02d}"


def breakdown(first_day: date, last_day: date, queue: str | None = None) -> Breakdown:
    calls = load_calls(first_day, last_day, queue)
    in_hours = in_office_hours(calls, closure_ordinals(first_day, last_day))
    total = figures(calls, in_hours)
    days = []
    out_days = []
    for ordinal in range(first_day.toordinal(), last_day.toordinal() + 1):
        on_day = calls.day == ordinal
        if not np.any(on_day):
            continue
        day = date.fromordinal(ordinal)
        mine = calls.take(on_day)
        hours = in_hours[on_day]
        if np.any(hours):
            days.append((day, figures(mine, hours)))
        if not np.all(hours):
            out_days.append((day, int(hours.size - np.count_nonzero(hours))))
    slots = []
    inside = calls.take(in_hours)
    for slot in SLOTS:
        mask = inside.slot == slot
        if np.any(mask):
            mine = inside.take(mask)
            slots.append((slot_label(slot), figures(mine, np.ones(len(mine), dtype=bool))))
    answered = inside.wait[(inside.outcome == ANSWERED) & (inside.wait >= 0)]
    bins = []
    for low, high in zip(WAIT_EDGES, (*WAIT_EDGES[1:], None), strict=True):
        if high is None:
            bins.append((f"> {low} s", int(np.count_nonzero(answered > low))))
        elif low == 0:
            bins.append((f"≤ {high} s", int(np.count_nonzero(answered <= high))))
        else:
            count = np.count_nonzero((answered > low) & (answered <= high))
            bins.append((f"{low + 1}–{high} s", int(count)))
    return Breakdown(total, days, slots, out_days, bins)


@dataclass(frozen=True)
class StaffingRow:
    weekday: int
    slot: int
    expected_calls: float
    aht_s: float
    agents: int
    service_level: float
    logged_in: int


def logged_in_agents(
    first_day: date, last_day: date, queue: str | None = None
) -> dict[tuple[int, int], int]:
    """Per (local date ordinal, half hour): agents logged in to a queue at some moment of it,
    replaying the member events (an agent still logged in at the end of the period stays)."""
    local = LocalTime()
    start = first_day.toordinal() - 1
    rows = MemberEvent.objects.order_by("at", "pk")
    if queue:
        rows = rows.filter(queue=queue)
    since: dict[tuple[str, str], tuple[int, int]] = {}
    found: dict[tuple[int, int], set[str]] = {}

    def mark(agent: str, begin: tuple[int, int], end: tuple[int, int]) -> None:
        b, e = begin[0] * 48 + begin[1] // 1800, end[0] * 48 + end[1] // 1800
        for n in range(max(b, start * 48), min(e, (last_day.toordinal() + 1) * 48 - 1) + 1):
            found.setdefault((n // 48, n % 48), set()).add(agent)

    for at, q, agent, kind in rows.values_list("at", "queue", "agent", "kind").iterator():
        moment = local(at)
        if moment[0] > last_day.toordinal():
            break
        if kind == MemberEventKind.LOGIN:
            since.setdefault((q, agent), moment)
        else:
            begin = since.pop((q, agent), None)
            if begin is not None:
                mark(agent, begin, moment)
    for (_q, agent), begin in since.items():
        mark(agent, begin, (last_day.toordinal(), 86399))
    return {key: len(agents) for key, agents in found.items()}


def staffing_week(
    monday: date, target: float = 0.8, within: int = TARGET_S, queue: str | None = None
) -> list[StaffingRow]:
    """For each office half hour of the week of `monday`: the calls expected (mean of the same
    half hour of the 8 weeks before), the mean handling time (talk time of answered calls of
    those weeks in that half hour, or of all of them when none), the fewest agents reaching
    `target` within `within` seconds (Erlang C), and the agents who were logged in."""
    from guichet.contact.erlang import agents_needed

    first = monday - timedelta(weeks=8)
    calls = load_calls(first, monday - timedelta(days=1), queue)
    in_hours = in_office_hours(calls, closure_ordinals(first, monday))
    inside = calls.take(in_hours)
    talks = inside.talk[(inside.outcome == ANSWERED) & (inside.talk >= 0)]
    overall = float(talks.mean()) if talks.size else 0.0
    logged = logged_in_agents(monday, monday + timedelta(days=4), queue)
    rows = []
    for weekday in range(5):
        day = monday + timedelta(days=weekday)
        for slot in SLOTS:
            if weekday == 2 and slot * 1800 < OPENS_WEDNESDAY_S:
                continue
            mask = (inside.weekday == weekday) & (inside.slot == slot)
            expected = np.count_nonzero(mask) / 8
            mine = inside.take(mask)
            talk = mine.talk[(mine.outcome == ANSWERED) & (mine.talk >= 0)]
            aht = float(talk.mean()) if talk.size else overall
            agents, level = agents_needed(expected, aht, target, within) if aht else (0, 1.0)
            rows.append(
                StaffingRow(
                    weekday,
                    slot,
                    expected,
                    round(aht, 1),
                    agents,
                    round(level, 4),
                    logged.get((day.toordinal(), slot), 0),
                )
            )
    return rows
