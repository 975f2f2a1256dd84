"""The reading paths at 250,000, 1,000,000 and 3,000,000 dossiers, then a mixed soak at 1M.

`make bench ONLY=scale`. For each size, the dossiers bench (bench/dossiers.py) runs in a
process of its own against a database of that size (built once and kept, like the 1M one):
`guichet_bench_250k`, `guichet_bench` (the dossiers bench's own 1M database) and
`guichet_bench_3m`, on the PostgreSQL of BENCH_DATABASE_URL's server (default 127.0.0.1:5432).
The data of every size is the same three years of history, so a bigger database holds more
dossiers a day, more open ones in every queue and deeper indexes.

Figures, per size (`250k`, `1m`, `3m`): `scale_<size>_worklist_p99_ms`,
`scale_<size>_dossier_page_p99_ms`, `scale_<size>_api_status_p99_ms` (and their p50), then
`p99_growth_1m_to_3m`: the largest p99(3M) ÷ p99(1M) of the three paths (target ≤ 1.3), and the
soak's figures (bench/soak.py) at 1M.

BENCH_SCALE_SIZES=250000,1000000 limits the sizes (the growth figure needs 1M and 3M);
BENCH_SOAK_SECONDS=0 skips the soak.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.__main__ import emit
from bench.dossiers import DEFAULT_DATABASE_URL as DEFAULT_URL

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("worklist", "dossier_page", "api_status")
DEFAULT_SIZES = (250_000, 1_000_000, 3_000_000)
LINE = re.compile(r"^BENCH (\S+) (\S+) (\S+)$")


def say(message: str) -> None:
    print(f"bench scale: {message}", flush=True)


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def database_url(size: int) -> str:
    """The 1M database is the dossiers bench's own; the other sizes get `<its name>_<size>`."""
    base = urllib.parse.urlsplit(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    name = base.path.lstrip("/") or "guichet_bench"
    if size != 1_000_000:
        name = f"{name}_{label(size)}"
    return urllib.parse.urlunsplit(base._replace(path=f"/{name}"))


def database_name(size: int) -> str:
    return urllib.parse.urlsplit(database_url(size)).path.lstrip("/")


def dossiers_bench(size: int, mode: str) -> dict[str, tuple[float, str]]:
    """Run the dossiers bench in a process of its own; its BENCH lines, by name."""
    env = {
        **os.environ,
        "BENCH_DOSSIERS": str(size),
        "BENCH_DATABASE_URL": database_url(size),
        "BENCH_DOSSIERS_MODE": mode,
    }
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and bench
        [sys.executable, "-m", "bench", "--only", "dossiers"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    figures: dict[str, tuple[float, str]] = {}  # name -> (value, unit)
    assert process.stdout is not None
    for line in process.stdout:
        found = LINE.match(line.strip())
        if found:
            figures[found.group(1)] = (float(found.group(2)), found.group(3))
        else:
            print(f"  [{label(size)}] {line.rstrip()}", flush=True)
    if process.wait():
        raise SystemExit(f"bench scale: the {label(size)} run failed ({process.returncode})")
    say(f"{label(size)} ({mode}) took {time.monotonic() - started:.0f} s")
    return figures


def run() -> None:
    wanted = os.environ.get("BENCH_SCALE_SIZES", "")
    sizes = [int(s) for s in wanted.split(",") if s] or list(DEFAULT_SIZES)
    p99: dict[int, dict[str, float]] = {}
    for size in sizes:
        say(f"{size:,} dossiers in {database_name(size)}")
        figures = dossiers_bench(size, "read")
        p99[size] = {}
        for path in PATHS:
            for q in ("p99", "p50"):
                value, _unit = figures[f"{path}_{q}_ms"]
                emit(f"scale_{label(size)}_{path}_{q}_ms", value, "ms")
                if q == "p99":
                    p99[size][path] = value
    if 1_000_000 in p99 and 3_000_000 in p99:
        ratios = {path: p99[3_000_000][path] / p99[1_000_000][path] for path in PATHS}
        say(", ".join(f"{path} ×{ratio:.2f}" for path, ratio in ratios.items()))
        emit("p99_growth_1m_to_3m", max(ratios.values()), "ratio")
    if float(os.environ.get("BENCH_SOAK_SECONDS", "1800")) > 0:
        for name, (value, unit) in dossiers_bench(1_000_000, "soak").items():
            emit(name, value, unit)
