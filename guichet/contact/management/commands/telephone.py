"""guichet telephone import|stats|staffing: the telephone line's records and figures.

guichet telephone import FILE [--format asterisk|csv] [--json]
guichet telephone import                 (the files of GUICHET_TELEPHONY_LOGS, for a timer)
guichet telephone stats --from DATE --to DATE [--queue Q] --json
guichet telephone staffing --calls N --aht SECONDS --target 0.8 --within 180 --json
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from guichet.cli import OneLineErrorsMixin, dumps, fail
from guichet.contact.erlang import agents_needed
from guichet.contact.queuelog import FORMATS, queue_log_import
from guichet.contact.telephony import telephone_stats

SHOWN_ERRORS = 50


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"guichet telephone : date illisible {value!r} (AAAA-MM-JJ)")


class Command(OneLineErrorsMixin, BaseCommand):
    help = "Journal de la plateforme téléphonique : import, statistiques, effectifs (Erlang C)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="importer un queue_log Asterisk ou un CSV")
        imp.add_argument("file", nargs="?", default=None)
        imp.add_argument("--format", dest="fmt", choices=FORMATS, default=None)
        imp.add_argument("--json", action="store_true")
        stats = sub.add_parser("stats", help="niveau de service d'une période")
        stats.add_argument("--from", dest="first", required=True)
        stats.add_argument("--to", dest="last", required=True)
        stats.add_argument("--queue", default=None)
        stats.add_argument("--json", action="store_true")
        staffing = sub.add_parser("staffing", help="agents nécessaires pour une demi-heure")
        staffing.add_argument("--calls", type=float, required=True)
        staffing.add_argument("--aht", type=float, required=True)
        staffing.add_argument("--target", type=float, default=0.8)
        staffing.add_argument("--within", type=float, default=180)
        staffing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _import(self, *, file: str | None, fmt: str | None, json: bool, **_: Any) -> None:
        if file is None:
            configured = settings.GUICHET_TELEPHONY_LOGS
            if not configured:
                fail("guichet telephone import : aucun fichier (ni GUICHET_TELEPHONY_LOGS)")
            jobs = [(Path(p), f or "asterisk") for p, f in configured]
        else:
            path = Path(file)
            guess = "csv" if path.suffix.lower() == ".csv" else "asterisk"
            jobs = [(path, fmt or guess)]
        results = []
        for path, chosen in jobs:
            if not path.is_file():
                fail(f"guichet telephone import : fichier introuvable {path}")
            result = queue_log_import(path=path, fmt=chosen)
            results.append(result)
            for number, error in result.errors[:SHOWN_ERRORS]:
                self.stderr.write(f"{path}:{number}: ligne illisible, ignorée : {error}")
            if len(result.errors) > SHOWN_ERRORS:
                self.stderr.write(
                    f"… et {len(result.errors) - SHOWN_ERRORS} autres lignes illisibles"
                )
            if not json:
                self.stdout.write(
                    f"{path} : {result.lines} lignes lues, {result.events} événements, "
                    f"{result.calls} appels, {len(result.errors)} lignes illisibles"
                    + (" (fichier remplacé : relu depuis le début)" if result.restarted else "")
                )
        if json:
            self.stdout.write(
                dumps([r.as_json() for r in results] if file is None else results[0].as_json())
            )

    def _stats(self, *, first: str, last: str, queue: str | None, json: bool, **_: Any) -> None:
        first_day, last_day = _day(first), _day(last)
        if last_day < first_day:
            fail("guichet telephone stats : --to précède --from")
        figures = telephone_stats(first_day, last_day, queue)
        if json:
            self.stdout.write(dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {'' if value is None else value}")

    def _staffing(
        self, *, calls: float, aht: float, target: float, within: float, json: bool, **_: Any
    ) -> None:
        try:
            agents, level = agents_needed(calls, aht, target, within)
        except ValueError as error:
            fail(f"guichet telephone staffing : {error}")
        if json:
            self.stdout.write(dumps({"agents": agents, "service_level": round(level, 4)}))
        else:
            self.stdout.write(f"{agents} agents : niveau de service {level:.1%}")
