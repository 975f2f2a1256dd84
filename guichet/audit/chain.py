"""Tamper evidence for the access log: every row is sealed with an HMAC chained to the row
before it, so that a row altered or removed outside Guichet shows.

A row's `row_hash` is HMAC-SHA256, under `GUICHET_ACCESS_LOG_KEY`, of its values and of the
`row_hash` of the row before it in the same *lane* (its `previous_hash`; the first row of a
lane follows `GENESIS`). There are `LANES` lanes, each with a head row in `AccessLogChain`: a
writer locks a free lane's head for its transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`), so
a long transaction that wrote to the log holds one lane, not every page view in Guichet.
Within a lane, rows follow each other in id order (the lane's lock is held until commit).

Without the key, someone who can write to the database cannot make a row that verifies: an
altered row fails its own HMAC; a removed row breaks the link of the next row of its lane,
and the lane's head names its newest row, so removing the newest rows shows too.

The retention purge removes old rows lawfully: the access-log row it writes about that
(`checkpoint`, sealed like any row) lists each run of consecutive rows it removed in a lane,
with the hash before the run and the hash of its last row, so the chain still verifies.
`guichet access-log verify` walks the whole log (`verify`).
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

from guichet.audit.models import AccessLog, AccessLogChain

GENESIS = "0" * 64
LANES = 8
# The values a row's HMAC covers, in this order: every column but the id and the HMAC itself
# (a test holds this list to the model, so a new column cannot be left out of the seal).
SEALED_FIELDS = (
    "lane",
    "previous_hash",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "subject_kind",
    "subject_id",
    "subject_number",
    "person_id",
    "why",
    "path",
    "checkpoint",
)


def chain_key() -> bytes:
    key = settings.GUICHET_ACCESS_LOG_KEY
    if key:
        return key.encode()
    if settings.GUICHET_REQUIRE_SECRET_KEY:
        raise ImproperlyConfigured("GUICHET_ACCESS_LOG_KEY must be set in production")
    return hashlib.sha256(b"guichet-access-log-key:" + settings.SECRET_KEY.encode()).digest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def digest(values: Iterable[Any], key: bytes | None = None) -> str:
    """The HMAC of one row's values, given in the order of SEALED_FIELDS."""
    message = json.dumps([_canonical(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key or chain_key(), message.encode(), hashlib.sha256).hexdigest()


def entry_digest(entry: AccessLog) -> str:
    return digest(getattr(entry, name) for name in SEALED_FIELDS)


# --- Writing ----------------------------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def take_lane() -> tuple[int, str]:
    """Lock the head of a free lane until the caller's transaction ends; its number and the
    hash of its newest row."""
    row = _lock_a_lane()
    if row is None:
        # No head at all: a new database whose rows were emptied (Django's flush in tests).
        _create_lanes()
        row = _lock_a_lane()
    if row is None:
        raise ImproperlyConfigured("the access log's chain has no lane (migrate)")
    return row[0], row[1]


def _lock_a_lane() -> tuple[int, str] | None:
    heads = _table(AccessLogChain)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A lane held by another transaction is skipped; if all are, wait for lane 0.
            cursor.execute(
                f"SELECT lane, last_hash FROM {heads} ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED"  # noqa: S608 (name from the model)
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(f"SELECT lane, last_hash FROM {heads} WHERE lane = 0 FOR UPDATE")  # noqa: S608
                row = cursor.fetchone()
        else:
            # SQLite: Guichet's transactions hold the database's write lock from their start.
            cursor.execute(f"SELECT lane, last_hash FROM {heads} WHERE lane = 0")  # noqa: S608
            row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _create_lanes() -> None:
    marks = ", ".join(["(%s, NULL, %s)"] * LANES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(AccessLogChain)} (lane, last_id, last_hash) VALUES {marks} "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [v for lane in range(LANES) for v in (lane, GENESIS)],
        )


def insert_sealed(insert: str, values: list[Any], lane: int, row_hash: str) -> int:
    """Run `insert` (an INSERT … RETURNING id of a sealed row) and make the row its lane's
    newest; the new row's id. One statement on PostgreSQL."""
    heads = _table(AccessLogChain)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH new AS ({insert}) UPDATE {heads} SET last_id = new.id, last_hash = %s "  # noqa: S608 (names from the models)
                "FROM new WHERE lane = %s RETURNING new.id",
                [*values, row_hash, lane],
            )
            row_id = int(cursor.fetchone()[0])
        else:
            cursor.execute(insert, values)
            row_id = int(cursor.fetchone()[0])
            cursor.execute(
                f"UPDATE {heads} SET last_id = %s, last_hash = %s WHERE lane = %s",  # noqa: S608
                [row_id, row_hash, lane],
            )
    return row_id


# --- Removing (the retention purge) -----------------------------------------------------------


@dataclass
class RemovedRun:
    """Consecutive rows of one lane removed together: what the next row links to instead."""

    lane: int
    first_id: int
    last_id: int
    count: int
    before: str  # the previous_hash of the first row removed
    last: str  # the row_hash of the last row removed

    def as_list(self) -> list[Any]:
        return [self.lane, self.first_id, self.last_id, self.count, self.before, self.last]


def removed_runs(rows: Iterable[tuple[int, int, str, str, bool]]) -> list[RemovedRun]:
    """From (id, lane, previous_hash, row_hash, removed) in id order, the runs of removed
    rows, lane by lane."""
    open_runs: dict[int, RemovedRun] = {}
    runs: list[RemovedRun] = []
    for row_id, lane, previous, row_hash, removed in rows:
        run = open_runs.get(lane)
        if not removed:
            if run is not None:
                runs.append(open_runs.pop(lane))
            continue
        if run is None:
            open_runs[lane] = RemovedRun(lane, row_id, row_id, 1, previous, row_hash)
        else:
            run.last_id, run.count, run.last = row_id, run.count + 1, row_hash
    runs.extend(open_runs.values())
    return sorted(runs, key=lambda r: r.first_id)


def checkpoint_text(runs: list[RemovedRun]) -> str:
    return json.dumps({"removed": [r.as_list() for r in runs]}, separators=(",", ":"))


# --- Verifying ----------------------------------------------------------------------------------


@dataclass
class Verdict:
    checked: int = 0
    removed: int = 0  # rows removed by a purge, as its checkpoints say
    broken_at: int | None = None  # the id of the first row whose seal or link fails
    reason: str = ""
    lanes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def _rows(chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
    names = ["id", "row_hash", *SEALED_FIELDS]
    yield from AccessLog.objects.order_by("id").values_list(*names).iterator(chunk_size=chunk)


def _attested_runs(key: bytes) -> dict[tuple[int, str], RemovedRun]:
    """The removals the purge's checkpoints attest, by (lane, hash before the run); only from
    checkpoints whose own seal holds. A hash is followed by one row in its lane, so by at most
    one run."""
    names = ["row_hash", *SEALED_FIELDS]
    runs: dict[tuple[int, str], RemovedRun] = {}
    for values in AccessLog.objects.exclude(checkpoint="").values_list(*names):
        if digest(values[1:], key) != values[0]:
            continue
        for item in json.loads(values[-1]).get("removed", []):
            run = RemovedRun(*item)
            runs[run.lane, run.before] = run
    return runs


def _link(
    lane: int, expected: str, found: str, runs: dict[tuple[int, str], RemovedRun]
) -> int | None:
    """How many removed rows lie between `expected` and `found` in `lane` (0: none; None: the
    link is broken). Follows several removals in a row."""
    removed, seen = 0, set()
    while expected != found:
        run = runs.get((lane, expected))
        if run is None or expected in seen:
            return None
        seen.add(expected)
        removed += run.count
        expected = run.last
    return removed


def verify(progress: Any = None) -> Verdict:
    """Walk the whole access log in id order; stop at the first row whose seal or link fails,
    then check each lane's head against the newest row of its lane."""
    key = chain_key()
    runs = _attested_runs(key)
    verdict = Verdict()
    expected: dict[int, str] = {}
    for values in _rows():
        row_id, row_hash, lane, previous = values[0], values[1], values[2], values[3]
        if digest(values[2:], key) != row_hash:
            verdict.broken_at, verdict.reason = row_id, "altered"
            return verdict
        gap = _link(lane, expected.get(lane, GENESIS), previous, runs)
        if gap is None:
            verdict.broken_at, verdict.reason = row_id, "unlinked"
            return verdict
        verdict.removed += gap
        expected[lane] = row_hash
        verdict.checked += 1
        if progress is not None and verdict.checked % 100_000 == 0:
            progress(verdict.checked)
    for lane, last_hash in AccessLogChain.objects.values_list("lane", "last_hash"):
        newest = expected.get(lane, GENESIS)
        if _link(lane, newest, last_hash, runs) is None:
            verdict.reason = f"head {lane}"
            return verdict
    verdict.lanes = expected
    return verdict
