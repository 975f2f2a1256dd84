"""Reading the telephony platform's log into calls: Asterisk's `queue_log` or a documented CSV.

`queue_log_import(path=..., fmt=...)` reads a file from where the previous import stopped
(`LogSource`: the byte offset after the last whole line consumed and the SHA-256 of those
bytes). A file that only grew is read on; a file whose consumed part changed (rotated,
truncated, replaced) is read again from the start, which counts nothing twice because each
event of a call fills its own columns of `Call` (the first value stays). A line that cannot be
read is reported with its number and skipped; a trailing line without its end of line is left
for the next import (the platform is still writing it).

Speed: lines are parsed with `str.split` and merged per call in a dict, then written by
multi-row `INSERT … ON CONFLICT DO UPDATE` statements (no ORM object per line), one
transaction per chunk of the file together with the new offset, so an interrupted import
resumes at the last chunk written.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from guichet.contact.models import Call, CallOutcome, LogSource, MemberEvent, MemberEventKind

FORMATS = ("asterisk", "csv")
CHUNK_BYTES = 16 * 1024 * 1024
ROWS_PER_STATEMENT = 1800  # 10 parameters each: under SQLite's 32,766
EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
CSV_COLUMNS = ["call_id", "queue", "entered_at", "outcome", "wait_s", "talk_s", "agent"]

# Event -> (outcome, index of the seconds waited among data1…).
TERMINAL = {
    "CONNECT": (CallOutcome.ANSWERED.value, 0),
    "ABANDON": (CallOutcome.ABANDONED.value, 2),
    "EXITWITHTIMEOUT": (CallOutcome.TIMEOUT.value, 2),
    "EXITWITHKEY": (CallOutcome.KEY.value, 3),
    "EXITEMPTY": (CallOutcome.EMPTY.value, 2),
}
# Event -> index of the seconds of conversation among data1….
ENDED = {
    "COMPLETECALLER": 1,
    "COMPLETEAGENT": 1,
    "TRANSFER": 3,
    "BLINDTRANSFER": 3,
    "ATTENDEDTRANSFER": 3,
}
MEMBER = {
    "ADDMEMBER": MemberEventKind.LOGIN.value,
    "AGENTLOGIN": MemberEventKind.LOGIN.value,
    "REMOVEMEMBER": MemberEventKind.LOGOFF.value,
    "AGENTLOGOFF": MemberEventKind.LOGOFF.value,
}
# Written by Asterisk and of no use to the measures: read and passed over without a complaint.
IGNORED = frozenset(
    {
        "RINGNOANSWER",
        "RINGCANCELED",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "QUEUESTART",
        "CONFIGRELOAD",
        "DID",
        "INFO",
        "SYSCOMPAT",
        "PENALTY",
        "AGENTCALLED",
        "AGENTDUMP",
        "MIXMONITOR",
    }
)


@dataclass
class ImportResult:
    path: str
    fmt: str
    lines: int = 0  # lines consumed by this import
    events: int = 0  # lines that were events of a call or of an agent
    calls: int = 0  # distinct calls touched
    members: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    restarted: bool = False  # the file no longer began as before: read from the start
    offset: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.fmt,
            "lines": self.lines,
            "events": self.events,
            "calls": self.calls,
            "member_events": self.members,
            "unreadable": [{"line": n, "error": e} for n, e in self.errors],
            "restarted": self.restarted,
            "offset": self.offset,
        }


class LocalTime:
    """Epoch seconds to (local date ordinal, second of the local day), caching the UTC offset
    per UTC hour: America/Toronto changes its offset on the hour."""

    def __init__(self, zone: str | None = None) -> None:
        self.tz = ZoneInfo(zone or settings.TIME_ZONE)
        self.cache: dict[int, int] = {}

    def offset(self, hour: int) -> int:
        """Seconds to add to UTC during the UTC hour `hour` (epoch // 3600)."""
        offset = self.cache.get(hour)
        if offset is None:
            delta = datetime.fromtimestamp(hour * 3600, self.tz).utcoffset()
            offset = int(delta.total_seconds()) if delta is not None else 0
            self.cache[hour] = offset
        return offset

    def __call__(self, epoch: int) -> tuple[int, int]:
        local = epoch + self.offset(epoch // 3600)
        return local // 86400 + EPOCH_ORDINAL, local % 86400


class Batch:
    """The facts of one chunk, merged per call: [entered, guessed entry, outcome, wait, talk,
    agent]."""

    def __init__(self) -> None:
        self.calls: dict[tuple[str, str], list[Any]] = {}
        self.members: list[tuple[int, str, str, str]] = []
        self.events = 0

    def _call(self, callid: str, queue: str) -> list[Any]:
        key = (callid, queue)
        row = self.calls.get(key)
        if row is None:
            row = self.calls[key] = [None, None, "", None, None, ""]
        return row

    def entered(self, callid: str, queue: str, epoch: int) -> None:
        row = self.calls.get((callid, queue))
        if row is None:
            self.calls[(callid, queue)] = [epoch, None, "", None, None, ""]
        elif row[0] is None:
            row[0] = epoch
        self.events += 1

    def left(
        self, callid: str, queue: str, epoch: int, outcome: str, wait: int, agent: str
    ) -> None:
        row = self._call(callid, queue)
        if not row[2]:
            row[1], row[2], row[3] = epoch - wait, outcome, wait
            if outcome == CallOutcome.ANSWERED:
                row[5] = agent
        self.events += 1

    def ended(self, callid: str, queue: str, talk: int) -> None:
        row = self._call(callid, queue)
        if row[4] is None:
            row[4] = talk
        self.events += 1

    def member(self, epoch: int, queue: str, agent: str, kind: str) -> None:
        self.members.append((epoch, queue, agent, kind))
        self.events += 1


def _seconds(data: list[str], index: int, what: str) -> int:
    try:
        value = int(data[index])
    except (IndexError, ValueError):
        raise ValueError(f"{what} : durée illisible (data{index + 1})") from None
    if value < 0:
        raise ValueError(f"{what} : durée négative (data{index + 1})")
    return value


def parse_asterisk_line(line: str, batch: Batch) -> None:
    """One `epoch|callid|queue|agent|EVENT|data1|…` line into `batch`; ValueError says why not."""
    parts = line.split("|")
    if len(parts) < 5:
        raise ValueError("moins de cinq champs séparés par |")
    stamp, callid, queue, agent, event = parts[:5]
    try:
        epoch = int(stamp)
    except ValueError:
        try:
            epoch = int(float(stamp))
        except ValueError:
            raise ValueError(f"horodatage illisible : {stamp[:30]!r}") from None
    data = parts[5:]
    terminal = TERMINAL.get(event)
    if terminal is not None:
        outcome, index = terminal
        batch.left(callid, queue, epoch, outcome, _seconds(data, index, event), agent)
    elif event == "ENTERQUEUE":
        batch.entered(callid, queue, epoch)
    elif event in ENDED:
        batch.ended(callid, queue, _seconds(data, ENDED[event], event))
    elif event in MEMBER:
        batch.member(epoch, queue, agent, MEMBER[event])
    elif event not in IGNORED:
        raise ValueError(f"événement inconnu : {event[:40]!r}")


def _csv_instant(value: str) -> int:
    value = value.strip()
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("entered_at sans fuseau horaire (ajoutez le décalage, p. ex. -05:00)")
    return int(moment.timestamp())


def parse_csv_line(line: str, batch: Batch) -> None:
    """One row `call_id,queue,entered_at,outcome,wait_s,talk_s,agent` (docs/contact.md)."""
    [row] = list(csv.reader([line]))
    if len(row) != len(CSV_COLUMNS):
        raise ValueError(f"{len(row)} colonnes au lieu de {len(CSV_COLUMNS)}")
    callid, queue, entered, outcome, wait, talk, agent = (c.strip() for c in row)
    if not callid or not queue:
        raise ValueError("call_id et queue sont obligatoires")
    try:
        epoch = _csv_instant(entered)
    except ValueError as error:
        raise ValueError(f"entered_at illisible : {error}") from None
    if outcome and outcome not in CallOutcome.values:
        raise ValueError(f"outcome inconnu : {outcome[:30]!r}")
    if outcome and not wait.isdigit():
        raise ValueError("wait_s doit être un nombre entier de secondes")
    if talk and not talk.isdigit():
        raise ValueError("talk_s doit être un nombre entier de secondes")
    batch.entered(callid, queue, epoch)
    if outcome:
        batch.left(callid, queue, epoch + int(wait), outcome, int(wait), agent)
    if talk:
        batch.ended(callid, queue, int(talk))


def _upsert_sql(rows: int) -> str:
    table = Call._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * rows)
    keep = "COALESCE({t}.{c}, excluded.{c})"
    first_text = "CASE WHEN {t}.{c} = '' THEN excluded.{c} ELSE {t}.{c} END"
    sets = ", ".join(
        f"{c} = " + (first_text if c in ("outcome", "agent") else keep).format(t=table, c=c)
        for c in (
            "entered_at",
            "day",
            "weekday",
            "second_of_day",
            "outcome",
            "wait_s",
            "talk_s",
            "agent",
        )
    )
    # Table, columns and outcome codes are the code's own; every value is a parameter.
    return (
        f"INSERT INTO {table} (callid, queue, entered_at, day, weekday, second_of_day, outcome, "  # noqa: S608
        f"wait_s, talk_s, agent) VALUES {values} ON CONFLICT (callid, queue) DO UPDATE SET {sets}"
    )


def _write(batch: Batch, local: LocalTime) -> None:
    adapt = connection.ops.adapt_datefield_value
    days: dict[int, Any] = {}
    rows: list[tuple[Any, ...]] = []
    for (callid, queue), (entered, guessed, outcome, wait, talk, agent) in batch.calls.items():
        moment = entered if entered is not None else guessed
        if moment is None:
            day = second = weekday = None
        else:
            ordinal, second = local(moment)
            weekday = (ordinal - 1) % 7 + 1
            day = days.get(ordinal)
            if day is None:
                day = days[ordinal] = adapt(date.fromordinal(ordinal))
        rows.append((callid, queue, moment, day, weekday, second, outcome, wait, talk, agent))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            part = rows[start : start + ROWS_PER_STATEMENT]
            cursor.execute(_upsert_sql(len(part)), [v for row in part for v in row])
    if batch.members:
        MemberEvent.objects.bulk_create(
            [MemberEvent(at=a, queue=q, agent=g, kind=k) for a, q, g, k in batch.members],
            ignore_conflicts=True,
            batch_size=2000,
        )


def _consumed_prefix_matches(path: Path, source: LogSource) -> tuple[bool, Any]:
    """Whether the file still begins with the bytes consumed before; the hasher of them."""
    hasher = hashlib.sha256()
    if source.offset == 0:
        return True, hasher
    if path.stat().st_size < source.offset:
        return False, hashlib.sha256()
    left = source.offset
    with path.open("rb") as handle:
        while left:
            block = handle.read(min(left, CHUNK_BYTES))
            if not block:
                break
            hasher.update(block)
            left -= len(block)
    if hasher.hexdigest() != source.prefix_sha256:
        return False, hashlib.sha256()
    return True, hasher


def queue_log_import(*, path: Path, fmt: str = "asterisk") -> ImportResult:
    """Read `path` on from where the previous import of the same file stopped (see module)."""
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt}")
    path = path.resolve()
    key = str(path)
    result = ImportResult(path=key, fmt=fmt)
    parse = parse_asterisk_line if fmt == "asterisk" else parse_csv_line
    source, _created = LogSource.objects.get_or_create(path=key)
    same, hasher = _consumed_prefix_matches(path, source)
    offset, line_number = source.offset, source.lines
    if not same:
        result.restarted = True
        offset, line_number = 0, 0
    local = LocalTime()
    calls: set[tuple[str, str]] = set()
    with path.open("rb") as handle:
        handle.seek(offset)
        pending = b""
        while True:
            block = handle.read(CHUNK_BYTES)
            if not block:
                break
            block = pending + block
            cut = block.rfind(b"\n")
            if cut < 0:
                pending = block
                continue
            whole, pending = block[: cut + 1], block[cut + 1 :]
            batch = Batch()
            text = whole.decode("utf-8", errors="replace")
            lines = text.split("\n")
            lines.pop()  # after the last end of line
            # Checked per line only when the chunk has a byte that is not UTF-8.
            suspect = "\ufffd" in text
            crlf = "\r" in text
            for line in lines:
                line_number += 1
                if crlf:
                    line = line.rstrip("\r")
                if not line or line.isspace():
                    continue
                if line_number == 1 and fmt == "csv" and line.startswith(CSV_COLUMNS[0]):
                    continue
                try:
                    if suspect and "\ufffd" in line:
                        raise ValueError("caractères qui ne sont pas de l'UTF-8")
                    parse(line, batch)
                except ValueError as error:
                    result.errors.append((line_number, str(error)))
            hasher.update(whole)
            offset += len(whole)
            with transaction.atomic():
                _write(batch, local)
                LogSource.objects.filter(pk=source.pk).update(
                    offset=offset, prefix_sha256=hasher.hexdigest(), lines=line_number
                )
            result.lines += len(lines)
            result.events += batch.events
            result.members += len(batch.members)
            calls.update(batch.calls)
    result.calls = len(calls)
    result.offset = offset
    return result
