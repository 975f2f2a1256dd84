"""Helpers shared by the project's management commands (the `guichet` console command)."""

import json
import sys
from datetime import datetime
from typing import Any, NoReturn

# Exit status for bad input: the command printed one line saying why and changed nothing.
EXIT_BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    """Print one clear line on standard error and exit with status 2."""
    sys.stderr.write(message.rstrip() + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_BAD_INPUT)


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant for an option; a naive one is local time (America/Toronto)."""
    from django.utils import timezone

    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def dumps(value: Any) -> str:
    """JSON as the commands print it: UTF-8 text, not escaped."""
    return json.dumps(value, ensure_ascii=False, default=str)


class OneLineErrorsMixin:
    """For BaseCommand subclasses: a bad option prints one line and exits 2 (no usage dump)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[misc]
        parser.error = lambda message: fail(f"guichet {subcommand} : {message}")
        return parser
