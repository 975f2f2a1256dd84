"""`guichet deadline`, one clock and a batch, as an operator or an integration runs it."""

import json
from pathlib import Path

import pytest
import time_machine

from guichet.testing import run_command

pytestmark = pytest.mark.django_db


def deadline(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    run = run_command(capsys, "deadline", *args, "--json")
    assert (run.code, run.err) == (0, "")
    result: dict[str, object] = json.loads(run.out)
    return result


def test_worked_example_of_domain(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = deadline(capsys, "--days", "20", "--received", "2026-12-18", "--as-of", "2027-01-04")
    assert plain == {
        "due_date": "2027-01-25",
        "elapsed": 5,
        "suspended_days": 0,
        "status": "running",
        "received": "2026-12-18",
        "as_of": "2027-01-04",
    }
    suspended = deadline(
        capsys,
        "--days",
        "20",
        "--received",
        "2026-12-18",
        "--suspend",
        "2027-01-05:2027-01-12",
        "--as-of",
        "2027-01-20",
    )
    assert suspended["due_date"] == "2027-02-01"
    assert (suspended["elapsed"], suspended["suspended_days"]) == (12, 5)


def test_open_suspension_has_no_due_date(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = deadline(
        capsys,
        "--days",
        "20",
        "--received",
        "2026-12-18",
        "--suspend",
        "2027-01-05:",
        "--as-of",
        "2027-01-20",
    )
    assert (result["due_date"], result["elapsed"], result["suspended_days"], result["status"]) == (
        None,
        6,
        11,
        "suspended",
    )


def test_overdue(quebec_calendar: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = deadline(capsys, "--days", "1", "--received", "2026-12-23", "--as-of", "2026-12-30")
    assert (result["due_date"], result["elapsed"], result["status"]) == ("2026-12-29", 2, "overdue")


def test_explain_lists_every_day_with_its_reason(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = deadline(
        capsys,
        "--days",
        "3",
        "--received",
        "2026-12-23",
        "--suspend",
        "2026-12-29:2026-12-30",
        "--as-of",
        "2026-12-23",
        "--explain",
    )
    assert result["due_date"] == "2027-01-06"
    assert [(d["date"], d["reason"], d["day_number"], d["closure"]) for d in result["days"]] == [  # type: ignore[attr-defined]
        ("2026-12-23", "reception", None, None),
        ("2026-12-24", "closure", None, "Veille de Noël"),
        ("2026-12-25", "closure", None, "Noël"),
        ("2026-12-26", "weekend", None, None),
        ("2026-12-27", "weekend", None, None),
        ("2026-12-28", "closure", None, "Lendemain de Noël"),
        ("2026-12-29", "counted", 1, None),
        ("2026-12-30", "suspended", None, None),
        ("2026-12-31", "closure", None, "Veille du jour de l'An"),
        ("2027-01-01", "closure", None, "Jour de l'An"),
        ("2027-01-02", "weekend", None, None),
        ("2027-01-03", "weekend", None, None),
        ("2027-01-04", "closure", None, "Lendemain du jour de l'An"),
        ("2027-01-05", "counted", 2, None),
        ("2027-01-06", "counted", 3, None),
    ]


@time_machine.travel("2027-01-05 23:30 -05:00")  # already January 6 in UTC
def test_as_of_defaults_to_today_in_montreal(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = deadline(capsys, "--days", "20", "--received", "2026-12-18")
    assert (result["as_of"], result["elapsed"]) == ("2027-01-05", 6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--days", "0", "--received", "2026-12-18"],
            "le délai doit être d'au moins 1 jour, pas 0",
        ),
        (
            ["--days", "5", "--received", "2026-02-30"],
            "--received : « 2026-02-30 » n'est pas une date",
        ),
        (
            ["--days", "5", "--received", "2026-12-18", "--suspend", "2026-12-17:2026-12-20"],
            "la suspension commence le 2026-12-17, avant la réception (2026-12-18)",
        ),
        (
            ["--days", "5", "--received", "2026-12-18", "--suspend", "2026-12-22:2026-12-21"],
            "la suspension finit le 2026-12-21, avant son début (2026-12-22)",
        ),
        (
            ["--days", "5", "--received", "2026-12-18", "--suspend", "2026-12-22"],
            "attendu DÉBUT:FIN ou DÉBUT:",
        ),
        (["--days", "5", "--received", "1969-12-31"], "1969-12-31 est hors du calendrier"),
        (["--days", "5"], "--days et --received sont obligatoires"),
        (["--days", "cinq", "--received", "2026-12-18"], "guichet deadline : argument --days"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    run = run_command(capsys, "deadline", *args, "--json")
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert message in run.err


def test_batch_prints_one_result_per_line_in_order(
    quebec_calendar: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            json.dumps(c)
            for c in [
                {
                    "days": 20,
                    "received": "2026-12-18",
                    "suspensions": [["2027-01-05", "2027-01-12"]],
                    "as_of": "2027-01-20",
                },
                {
                    "days": 20,
                    "received": "2026-12-18",
                    "suspensions": [["2027-01-05", None]],
                    "as_of": "2027-01-20",
                },
                {"days": 1, "received": "2026-12-23", "suspensions": [], "as_of": "2026-12-30"},
                {"days": 65, "received": "2027-01-08", "as_of": "2027-01-08"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    run = run_command(capsys, "deadline", "--batch", str(cases), "--json")
    assert (run.code, run.err) == (0, "")
    assert [json.loads(line) for line in run.out.splitlines()] == [
        {"due_date": "2027-02-01", "elapsed": 12, "suspended_days": 5, "status": "running"},
        {"due_date": None, "elapsed": 6, "suspended_days": 11, "status": "suspended"},
        {"due_date": "2026-12-29", "elapsed": 2, "suspended_days": 0, "status": "overdue"},
        # 65 business days from Fri 2027-01-08: Jan 11-29 (15), Feb (35), Mar 1-25 (54), Good
        # Friday 03-26 and Easter Monday 03-29 closed, Mar 30-31 (56), Apr 1-2 (58), 5-9 (63),
        # 12 (64), 13 (65).
        {"due_date": "2027-04-13", "elapsed": 0, "suspended_days": 0, "status": "running"},
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"days": 5, "received": "2026-12-18", "suspensions": [["2026-12-22", "2026-12-21"]]}',
            "ligne 2 : la suspension finit le 2026-12-21, avant son début (2026-12-22)",
        ),
        ('{"days": 0, "received": "2026-12-18"}', "ligne 2 : le délai doit être d'au moins 1 jour"),
        ('{"days": 5, "received": "2026-12-32"}', "ligne 2 : « received » : « 2026-12-32 »"),
        (
            '{"days": 5, "received": "2026-12-18", "suspensions": [["2026-12-01", null]]}',
            "ligne 2 : la suspension commence le 2026-12-01, avant la réception",
        ),
        ('{"days": 5, "recieved": "2026-12-18"}', "ligne 2 : clé inconnue « recieved »"),
        ("not json", "ligne 2 : JSON invalide"),
    ],
)
def test_batch_bad_line_prints_nothing_else(
    quebec_calendar: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    line: str,
    message: str,
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"days": 5, "received": "2026-12-18"}\n' + line + "\n", encoding="utf-8")
    run = run_command(capsys, "deadline", "--batch", str(cases), "--json")
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith(f"guichet deadline : {cases}, {message}")
    assert run.err.count("\n") == 1


def test_text_output(quebec_calendar: None, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(
        capsys,
        "deadline",
        "--days",
        "20",
        "--received",
        "2026-12-18",
        "--as-of",
        "2027-01-04",
        "--explain",
    )
    assert run.code == 0
    assert "Échéance : 2027-01-25" in run.out
    assert "2026-12-28 lundi     jour de fermeture — Lendemain de Noël" in run.out
    assert "2027-01-25 lundi     jour 20" in run.out


def test_calendar_command_json(quebec_calendar: None, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(capsys, "calendar", "--year", "2026", "--json")
    assert run.code == 0
    days = json.loads(run.out)
    assert days[0] == {"date": "2026-01-01", "name": "Jour de l'An", "provisional": False}
    assert [d["date"] for d in days][-3:] == ["2026-12-25", "2026-12-28", "2026-12-31"]
    assert len(days) == 13
    far = run_command(capsys, "calendar", "--year", "2200", "--json")
    assert (far.code, far.err) == (2, "l'année 2200 est hors du calendrier (1970 à 2100)\n")
