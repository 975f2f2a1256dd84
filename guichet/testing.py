"""Test helpers shared by the apps: run a `guichet` command as a user would."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command


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
