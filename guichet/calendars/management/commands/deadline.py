"""guichet deadline: one clock (or a file of clocks) computed with the recorded calendar.

    guichet deadline --days N --received DATE [--suspend START:END]... [--suspend START:]
                     [--as-of DATE] [--explain] [--json] [--calendar-at DATETIME]
    guichet deadline --batch FILE.jsonl --json

Bad input prints one line naming what is wrong (and, in batch, the line) and exits 2, with
nothing else printed.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from guichet.calendars.services import business_calendar
from guichet.cli import OneLineErrorsMixin, dumps, fail, parse_instant
from guichet.clock import (
    BusinessCalendar,
    CalendarRangeError,
    ClockInputError,
    Suspension,
    compute,
    explain,
)
from guichet.clock.batch import STATUS_NAMES, compute_batch
from guichet.clock.engine import validate

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
REASONS_FR = {
    "reception": "réception (jour 0)",
    "counted": "compté",
    "weekend": "fin de semaine",
    "closure": "jour de fermeture",
    "suspended": "suspendu",
}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min


def _day(value: object, what: str) -> date:
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ClockInputError(f"{what} : « {value} » n'est pas une date AAAA-MM-JJ") from None


def parse_suspension(value: str) -> Suspension:
    """START:END, or START: for a suspension still open."""
    start, sep, end = value.partition(":")
    if not sep:
        raise ClockInputError(f"--suspend « {value} » : attendu DÉBUT:FIN ou DÉBUT:")
    return Suspension(_day(start, "--suspend"), _day(end, "--suspend") if end else None)


def _check(cal: BusinessCalendar, *days: date | None) -> None:
    for d in days:
        if d is not None and not cal.covers(d):
            raise ClockInputError(
                f"{d.isoformat()} est hors du calendrier ({cal.first_day.isoformat()} au "
                f"{cal.last_day.isoformat()})"
            )


class Command(OneLineErrorsMixin, BaseCommand):
    help = (
        "Calcule l'échéance d'un délai en jours ouvrables (règle de DOMAIN.md) : date "
        "d'échéance, jours écoulés, jours suspendus et état à une date, avec --explain le détail "
        "jour par jour. --batch lit un cas JSON par ligne."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="le délai N en jours ouvrables (N ≥ 1)")
        parser.add_argument("--received", help="date de réception AAAA-MM-JJ (jour 0)")
        parser.add_argument(
            "--suspend",
            action="append",
            default=[],
            metavar="DÉBUT:[FIN]",
            help="une suspension ; FIN absente : toujours en cours",
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help="date de calcul (défaut : aujourd'hui, heure de Montréal)",
        )
        parser.add_argument("--explain", action="store_true", help="chaque jour et pourquoi")
        parser.add_argument("--json", action="store_true", help="un objet JSON")
        parser.add_argument(
            "--batch",
            type=Path,
            default=None,
            help="fichier JSONL : {days, received, suspensions, as_of} par ligne",
        )
        parser.add_argument(
            "--calendar-at",
            dest="calendar_at",
            type=parse_instant,
            default=None,
            help="le calendrier tel qu'il était connu à cet instant (ISO 8601)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        cal = business_calendar(o["calendar_at"])
        if o["batch"] is not None:
            self._batch(cal, o["batch"], as_json=o["json"])
            return
        try:
            if o["days"] is None or o["received"] is None:
                raise ClockInputError("--days et --received sont obligatoires (ou --batch)")
            received = _day(o["received"], "--received")
            as_of = _day(o["as_of"], "--as-of") if o["as_of"] else timezone.localdate()
            suspensions = [parse_suspension(s) for s in o["suspend"]]
            _check(cal, received, as_of, *(d for s in suspensions for d in (s.start, s.end)))
            result = compute(cal, received, o["days"], as_of, suspensions)
            days = explain(cal, received, o["days"], as_of, suspensions) if o["explain"] else None
        except (ClockInputError, CalendarRangeError) as exc:
            fail(f"guichet deadline : {exc}")
        out: dict[str, Any] = {
            "due_date": result.due_date.isoformat() if result.due_date else None,
            "elapsed": result.elapsed,
            "suspended_days": result.suspended_days,
            "status": str(result.status),
            "received": received.isoformat(),
            "as_of": as_of.isoformat(),
        }
        if days is not None:
            out["days"] = [
                {
                    "date": d.day.isoformat(),
                    "weekday": WEEKDAYS_FR[d.day.weekday()],
                    "counts": d.counted is not None,
                    "day_number": d.counted,
                    "reason": str(d.reason),
                    "closure": d.closure,
                }
                for d in days
            ]
        if o["json"]:
            self.stdout.write(dumps(out))
        else:
            self._text(out)

    def _text(self, out: dict[str, Any]) -> None:
        due = out["due_date"] or "aucune tant que la suspension est en cours"
        self.stdout.write(
            f"Échéance : {due}\nJours écoulés au {out['as_of']} : {out['elapsed']} "
            f"(dont {out['suspended_days']} jour(s) suspendu(s) non comptés)\n"
            f"État : {out['status']}"
        )
        for d in out.get("days", []):
            number = f"jour {d['day_number']}" if d["counts"] else REASONS_FR[d["reason"]]
            closure = f" — {d['closure']}" if d["closure"] else ""
            self.stdout.write(f"  {d['date']} {d['weekday']:<9} {number}{closure}")

    def _batch(self, cal: BusinessCalendar, path: Path, *, as_json: bool) -> None:
        if not as_json:
            fail("guichet deadline : --batch écrit du JSON, ajoutez --json")
        try:
            cases = _BatchCases.read(cal, path)
        except OSError as exc:
            fail(f"guichet deadline : {path} : {exc.strerror}")
        try:
            result = compute_batch(
                cal,
                cases.received,
                cases.days,
                cases.as_of,
                cases.starts,
                cases.ends,
                validate=False,
            )
        except CalendarRangeError as exc:
            fail(f"guichet deadline : {path} : {exc}")
        due = [
            "null" if d == "NaT" else f'"{d}"'
            for d in np.datetime_as_string(result.due_date, unit="D").tolist()
        ]
        status = [str(STATUS_NAMES[code]) for code in result.status.tolist()]
        lines = [
            f'{{"due_date": {d}, "elapsed": {e}, "suspended_days": {s}, "status": "{st}"}}'
            for d, e, s, st in zip(
                due, result.elapsed.tolist(), result.suspended_days.tolist(), status, strict=True
            )
        ]
        if lines:
            self.stdout.write("\n".join(lines))


@dataclass
class _BatchCases:
    received: np.ndarray
    days: np.ndarray
    as_of: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def read(cls, cal: BusinessCalendar, path: Path) -> "_BatchCases":
        """Parse and validate every line before anything is computed or printed."""
        received: list[int] = []
        days: list[int] = []
        as_of: list[int] = []
        susp: list[list[tuple[int, int]]] = []
        today = timezone.localdate()
        with path.open(encoding="utf-8") as handle:
            for number, line in _lines(handle):
                try:
                    r, n, a, pairs = _case(cal, line, today)
                except ClockInputError as exc:
                    fail(f"guichet deadline : {path}, ligne {number} : {exc}")
                received.append(r)
                days.append(n)
                as_of.append(a)
                susp.append(pairs)
        width = max((len(row) for row in susp), default=0) or 1
        starts = np.full((len(susp), width), _NAT, dtype=np.int64)
        ends = starts.copy()
        for i, row in enumerate(susp):
            for k, (start, end) in enumerate(row):
                starts[i, k] = start
                ends[i, k] = end
        return cls(
            received=np.array(received, dtype=np.int64).view("datetime64[D]"),
            days=np.array(days, dtype=np.int64),
            as_of=np.array(as_of, dtype=np.int64).view("datetime64[D]"),
            starts=starts.view("datetime64[D]"),
            ends=ends.view("datetime64[D]"),
        )


def _lines(handle: Any) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line


def _case(
    cal: BusinessCalendar, line: str, today: date
) -> tuple[int, int, int, list[tuple[int, int]]]:
    try:
        case = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ClockInputError(f"JSON invalide ({exc.msg})") from None
    if not isinstance(case, dict):
        raise ClockInputError("attendu un objet JSON {days, received, suspensions, as_of}")
    unknown = sorted(set(case) - {"days", "received", "suspensions", "as_of"})
    if unknown:
        raise ClockInputError(f"clé inconnue « {unknown[0]} »")
    n = case.get("days")
    if not isinstance(n, int) or isinstance(n, bool):
        raise ClockInputError(f"« days » doit être un nombre entier, pas {n!r}")
    received = _day(case.get("received"), "« received »")
    as_of = _day(case["as_of"], "« as_of »") if case.get("as_of") is not None else today
    raw = case.get("suspensions") or []
    if not isinstance(raw, list):
        raise ClockInputError("« suspensions » doit être une liste de [début, fin ou null]")
    _check(cal, received, as_of)
    suspensions: list[Suspension] = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 2:
            raise ClockInputError(f"suspension {item!r} : attendu [début, fin ou null]")
        start = _day(item[0], "suspension")
        end = _day(item[1], "suspension") if item[1] is not None else None
        _check(cal, start, end)
        suspensions.append(Suspension(start, end))
    validate(received, n, suspensions)
    pairs = [
        (
            s.start.toordinal() - _EPOCH_ORDINAL,
            _NAT if s.end is None else s.end.toordinal() - _EPOCH_ORDINAL,
        )
        for s in suspensions
    ]
    return (received.toordinal() - _EPOCH_ORDINAL, n, as_of.toordinal() - _EPOCH_ORDINAL, pairs)
