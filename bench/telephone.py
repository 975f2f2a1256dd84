"""Telephone figures on a fresh embedded database (SQLite in a temporary folder; a
BENCH_TELEPHONE_DATABASE_URL selects another, e.g. PostgreSQL, which the bench migrates).

1. `queue_log_import_1m_lines_s`: `guichet telephone import` of an Asterisk queue_log of
   1,000,000 lines (about 330,000 calls: ENTERQUEUE, then CONNECT and COMPLETECALLER, or
   ABANDON, EXITWITHTIMEOUT or EXITWITHKEY), in process, from an empty database. Then the same
   file again (`queue_log_reimport_s`: nothing new; the consumed prefix is hashed again).
2. `telephone_stats_year_s`: `telephone_stats` over one year of those calls (the median of 5).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.__main__ import emit

LINES = 1_000_000
SEED = 14


def write_log(path: Path, lines: int = LINES) -> int:
    """A year of calls from 2025-04-01, spread over office hours and a little outside them."""
    rng = random.Random(SEED)
    start = 1743508800  # 2025-04-01 08:00 EDT
    out: list[str] = []
    n = 0
    # A queue_log is written as things happen: the calls come in order of time.
    moments = sorted(
        start + rng.randrange(365) * 86400 + rng.randrange(-3600, 9 * 3600)
        for _ in range(lines // 2 + 1)
    )
    while len(out) < lines:
        at = moments[n]
        n += 1
        callid = f"1{at}.{n}"
        out.append(f"{at}|{callid}|info|NONE|ENTERQUEUE||5145550100|1")
        wait = int(rng.expovariate(1 / 90))
        kind = rng.random()
        if kind < 0.8:
            out.append(f"{at + wait}|{callid}|info|SIP/10{n % 40:02d}|CONNECT|{wait}|x|3")
            talk = int(rng.expovariate(1 / 240)) + 20
            agent = f"SIP/10{n % 40:02d}"
            out.append(f"{at + wait + talk}|{callid}|info|{agent}|COMPLETECALLER|{wait}|{talk}|1")
        elif kind < 0.93:
            out.append(f"{at + wait}|{callid}|info|NONE|ABANDON|1|1|{wait}")
        elif kind < 0.97:
            out.append(f"{at + 600}|{callid}|info|NONE|EXITWITHTIMEOUT|1|1|600")
        else:
            out.append(f"{at + wait}|{callid}|info|NONE|EXITWITHKEY|5|1|1|{wait}")
    path.write_text("\n".join(out[:lines]) + "\n", encoding="utf-8")
    return lines


def run() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-telephone-"))
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_TELEPHONE_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guichet.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    call_command("load-calendar", "calendars/quebec.toml", verbosity=0)
    from guichet.contact.queuelog import queue_log_import
    from guichet.contact.telephony import telephone_stats

    log = folder / "queue_log"
    write_log(log)
    began = time.perf_counter()
    result = queue_log_import(path=log)
    emit("queue_log_import_1m_lines_s", time.perf_counter() - began, "s")
    print(
        f"bench telephone: {result.lines} lines, {result.calls} calls, "
        f"{len(result.errors)} unreadable"
    )
    began = time.perf_counter()
    queue_log_import(path=log)
    emit("queue_log_reimport_s", time.perf_counter() - began, "s")
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        figures = telephone_stats(date(2025, 4, 1), date(2026, 3, 31))
        runs.append(time.perf_counter() - began)
    print(f"bench telephone: {figures}")
    emit("telephone_stats_year_s", statistics.median(runs), "s")
