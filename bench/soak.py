"""The mixed soak: the back office and the API kept busy for a long time at 1,000,000 dossiers.

Run by `make bench ONLY=scale` (bench/scale.py) on the dossiers bench's database, through the
same gunicorn (2 workers, the runtime role). Four client threads each send, one at a time, a
mix of requests drawn at random: 40 % worklist pages (the filters and cursor pages of the
dossiers bench), 30 % dossier pages, 20 % API status, 10 % filings through the API (so the
data grows under the reads, as it does in production). After a warm-up, for
BENCH_SOAK_SECONDS (default 1,800: 30 minutes):

- `soak_p99_first_ms`, `soak_p99_last_ms`: the p99 of every request of the first and of the
  last window (5 minutes, or a sixth of a shorter soak);
- `soak_p99_drift_pct`: the last window's p99 against the first's, in per cent (target < 10);
- `soak_rss_first_mb`, `soak_rss_last_mb`, `soak_rss_growth_pct`: the resident memory of the
  gunicorn workers together, sampled every 10 s, the first and last windows' averages;
- `soak_cpu_first_ms`, `soak_cpu_last_ms`, `soak_cpu_drift_pct`: the workers' own CPU per
  request in the first and last windows, which other work on the machine changes little (the
  latencies include waiting for the CPUs: on a shared machine, read the drift of both);
- `soak_requests`, `soak_filings`: what was done; more than 0.5 % failures stops the bench.
"""

from __future__ import annotations

import http.client
import os
import random
import threading
import time

import numpy as np

from bench import dossiers as base
from bench.__main__ import emit

SOAK_SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "1800"))
WINDOW = min(300.0, SOAK_SECONDS / 6)
THREADS = 4
MIX = (("worklist", 40), ("dossier_page", 30), ("api_status", 20), ("api_file", 10))
SAMPLE_EVERY = min(10.0, WINDOW / 5)


def say(message: str) -> None:
    print(f"bench soak: {message}", flush=True)


def machine_probe_ms() -> float:
    """The CPU time of a fixed piece of work in this thread (waiting for the CPU or for the
    GIL does not count): it grows only if the machine itself runs slower (a shared host)."""
    began = time.thread_time()
    total = 0
    for i in range(50_000):
        total += i * i
    return (time.thread_time() - began) * 1000


def soak(port: int, world: base.World) -> None:
    rng = random.Random(base.SEED + 4)
    code = base.ensure_second_factor(world.agent)
    session = base.log_in(port, base.AGENT_EMAIL, base.PASSWORD, code or (lambda: ""))
    bearer = {"Authorization": f"Bearer {base.api_token(world)}"}
    filing = {**bearer, "Content-Type": "application/json"}
    open_, closed = base.sample_numbers(world, base.REQUESTS)
    numbers = open_ + closed
    pools = {
        "worklist": base.worklist_paths(port, session, world),
        "dossier_page": [f"/bureau/dossiers/{n}/" for n in numbers],
        "api_status": [f"/api/dossiers/{n}" for n in numbers],
    }
    # Enough bodies for the fastest soak imaginable (1,000 req/s), drawn once.
    bodies = base.filing_bodies(world, int(SOAK_SECONDS * 100) + base.WARMUP, rng)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    next_body = iter(range(len(bodies)))
    lock = threading.Lock()

    def one(kind: str) -> tuple[int, float, int]:
        if kind == "api_file":
            with lock:
                i = next(next_body)
            answer = base.get(port, "/api/dossiers", filing, method="POST", body=bodies[i])
            return answer.status, answer.seconds, 201
        headers = bearer if kind == "api_status" else session
        answer = base.get(port, rng.choice(pools[kind]), headers)
        return answer.status, answer.seconds, 200

    for kind in kinds:  # warm every path first: the first window must not pay for it
        for _ in range(base.WARMUP // 2):
            one(kind)

    started = time.monotonic()
    deadline = started + SOAK_SECONDS
    records: list[tuple[float, float, bool, str]] = []  # (at, seconds, ok, kind)
    memory: list[tuple[float, int, float]] = []  # (at, workers' RSS kB, workers' CPU s)

    def client(seed: int) -> None:
        mine = random.Random(seed)
        while time.monotonic() < deadline:
            kind = mine.choices(kinds, weights)[0]
            try:
                status, seconds, wanted = one(kind)
                ok = status == wanted
            except (OSError, http.client.HTTPException):
                seconds, ok = 0.0, False
            with lock:
                records.append((time.monotonic() - started, seconds, ok, kind))

    probes: list[tuple[float, float]] = []  # (at, CPU ms of a fixed loop)

    def sampler() -> None:
        while time.monotonic() < deadline:
            at = time.monotonic() - started
            memory.append((at, base.worker_rss_kb(port), base.worker_cpu_s(port)))
            probes.append((at, machine_probe_ms()))
            time.sleep(SAMPLE_EVERY)

    say(
        f"{SOAK_SECONDS:.0f} s of mixed requests from {THREADS} threads, windows of "
        f"{WINDOW:.0f} s; load average before: {os.getloadavg()[0]:.2f}"
    )
    threads = [threading.Thread(target=client, args=(base.SEED + 10 + t,)) for t in range(THREADS)]
    threads.append(threading.Thread(target=sampler))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    at = np.array([r[0] for r in records])
    seconds = np.array([r[1] for r in records]) * 1000
    ok = np.array([r[2] for r in records], dtype=bool)
    failures = int((~ok).sum())
    say(f"{len(records)} requests, {failures} failed; load average after: {os.getloadavg()[0]:.2f}")
    if failures > base.MAX_FAILURES * len(records):
        raise base.BenchError(f"soak: {failures} of {len(records)} requests failed")
    first = seconds[ok & (at < WINDOW)]
    last = seconds[ok & (at >= SOAK_SECONDS - WINDOW)]
    if not first.size or not last.size:
        raise base.BenchError("soak: a window has no answer")
    p99_first, p99_last = float(np.percentile(first, 99)), float(np.percentile(last, 99))
    windows = [
        seconds[ok & (at >= w) & (at < w + WINDOW)] for w in np.arange(0, SOAK_SECONDS, WINDOW)
    ]
    say(
        "p99 of each window: "
        + ", ".join(f"{np.percentile(w, 99):.1f}" for w in windows if w.size)
        + " ms"
    )
    speed = [
        [ms for t, ms in probes if w <= t < w + WINDOW] for w in np.arange(0, SOAK_SECONDS, WINDOW)
    ]
    say(
        "a fixed loop's CPU time in each window (the machine's own speed, whatever the load): "
        + ", ".join(f"{np.median(w):.2f}" for w in speed if w)
        + " ms"
    )
    for kind in kinds:
        mine = np.array([r[3] == kind for r in records], dtype=bool) & ok
        f, la = seconds[mine & (at < WINDOW)], seconds[mine & (at >= SOAK_SECONDS - WINDOW)]
        if f.size and la.size:
            say(
                f"{kind}: p99 {np.percentile(f, 99):.1f} ms first window, "
                f"{np.percentile(la, 99):.1f} ms last ({f.size} and {la.size} requests)"
            )
    emit("soak_p99_first_ms", p99_first, "ms")
    emit("soak_p99_last_ms", p99_last, "ms")
    emit("soak_p99_drift_pct", (p99_last - p99_first) / p99_first * 100, "%")
    # The workers' own CPU per request in each window: what the application costs, which the
    # machine's other work changes little (the latencies above include waiting for the CPUs).
    first_cpu = [(t, cpu) for t, _kb, cpu in memory if t < WINDOW]
    last_cpu = [(t, cpu) for t, _kb, cpu in memory if t >= SOAK_SECONDS - WINDOW]
    if len(first_cpu) > 1 and len(last_cpu) > 1:
        per_request = []
        for window in (first_cpu, last_cpu):
            (t0, c0), (t1, c1) = window[0], window[-1]
            done = int(((at >= t0) & (at < t1)).sum())
            per_request.append((c1 - c0) / max(done, 1) * 1000)
        emit("soak_cpu_first_ms", per_request[0], "ms")
        emit("soak_cpu_last_ms", per_request[1], "ms")
        emit("soak_cpu_drift_pct", (per_request[1] - per_request[0]) / per_request[0] * 100, "%")
    rss_first = [kb for t, kb, _cpu in memory if t < WINDOW]
    rss_last = [kb for t, kb, _cpu in memory if t >= SOAK_SECONDS - WINDOW]
    if rss_first and rss_last:
        first_mb = float(np.mean(rss_first)) / 1024
        last_mb = float(np.mean(rss_last)) / 1024
        emit("soak_rss_first_mb", first_mb, "MB")
        emit("soak_rss_last_mb", last_mb, "MB")
        emit("soak_rss_growth_pct", (last_mb - first_mb) / first_mb * 100, "%")
    emit("soak_requests", len(records), "requests")
    emit("soak_filings", int(sum(1 for r in records if r[3] == "api_file" and r[2])), "dossiers")
