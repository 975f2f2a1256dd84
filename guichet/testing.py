"""Test fixtures and helpers shared by every test folder (loaded by the root conftest.py):
the real data files loaded into the test database, and running a `guichet` command."""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from guichet.calendars.services import calendar_load
from guichet.catalogue.models import Declaration
from guichet.catalogue.services import declaration_load

MICC = Path(settings.GUICHET_DECLARATIONS_DIR) / "micc.toml"
QUEBEC = Path(settings.GUICHET_CALENDARS_DIR) / "quebec.toml"


@pytest.fixture
def micc(db: None) -> Declaration:
    return declaration_load(path=MICC).declaration


@pytest.fixture
def quebec_calendar(db: None) -> None:
    calendar_load(path=QUEBEC)


@dataclass(frozen=True)
class CommandRun:
    code: int
    out: str
    err: str


def run_command(capsys: pytest.CaptureFixture[str], *args: str) -> CommandRun:
    """Run `guichet <args>` in-process; return its exit status and what it printed."""
    out = io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CommandRun(code, out.getvalue() + captured.out, captured.err)
