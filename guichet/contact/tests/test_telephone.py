"""The queue log read into calls and the figures of a period, computed by hand.

The log below has every event kind, both short-abandon boundaries (5 s short, 6 s not), the
office hours' boundaries (Wednesday 10:29:59 and 10:30:00, 16:29:59 and 16:30:00), a call
across midnight, a call across the end of daylight-saving time (Sunday 2026-11-01) and the
Monday after it, when 07:30 EST would be 08:30 with the summer offset.
"""

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guichet.contact.models import Call, LogSource, MemberEvent
from guichet.contact.queuelog import queue_log_import
from guichet.contact.telephony import telephone_stats
from guichet.testing import run_command

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("America/Toronto")
D = date.fromisoformat


def t(local: str) -> int:
    return int(datetime.fromisoformat(local).replace(tzinfo=TZ).timestamp())


def call(callid: str, local: str, *events: tuple[int, str, str], queue: str = "info") -> list[str]:
    """ENTERQUEUE at `local`, then (seconds later, EVENT, data) lines."""
    start = t(local)
    lines = [f"{start}|{callid}|{queue}|NONE|ENTERQUEUE||5145550100|1"]
    for after, event, data in events:
        agent = "SIP/1001" if event in ("CONNECT", "COMPLETECALLER", "TRANSFER") else "NONE"
        lines.append(f"{start + after}|{callid}|{queue}|{agent}|{event}|{data}")
    return lines


def queue_log() -> list[str]:
    lines = [f"{t('2026-10-26 07:55')}|NONE|info|SIP/1001|ADDMEMBER|"]
    lines.append(f"{t('2026-10-26 07:56')}|NONE|info|SIP/1001|PAUSE|lunch")
    lines += call("c15", "2026-10-26 12:00", (0, "EXITEMPTY", "1|1|0"))
    lines += call("c16", "2026-10-26 12:05")  # still in the queue: no outcome yet
    lines += call(
        "c1", "2026-10-27 09:00", (20, "CONNECT", "20|c1.1|5"), (320, "COMPLETECALLER", "20|300|1")
    )
    lines += call(
        "c2", "2026-10-27 09:10", (170, "RINGNOANSWER", "15000"), (180, "CONNECT", "180|x|2")
    )
    lines += call(
        "c3", "2026-10-27 09:20", (181, "CONNECT", "181|x|1"), (400, "COMPLETEAGENT", "181|219|1")
    )
    lines += call("c4", "2026-10-27 09:30", (5, "ABANDON", "1|1|5"))
    lines += call("c5", "2026-10-27 09:40", (6, "ABANDON", "1|1|6"))
    lines += call("c17", "2026-10-27 09:45", (10, "CONNECT", "10|x|1"), queue="csq")
    lines += call("c11", "2026-10-27 23:59:30", (90, "CONNECT", "90|x|1"))
    lines += call("c6", "2026-10-28 10:29:59", (10, "CONNECT", "10|x|1"))
    lines += call("c7", "2026-10-28 10:30:00", (300, "EXITWITHTIMEOUT", "1|1|300"))
    lines.append("this is not a queue_log line")
    lines += call("c8", "2026-10-29 16:29:59", (45, "EXITWITHKEY", "5|1|1|45"))
    lines += call("c9", "2026-10-29 16:30:00", (5, "CONNECT", "5|x|1"))
    lines += call(
        "c10",
        "2026-10-30 08:00",
        (100, "CONNECT", "100|x|1"),
        (160, "TRANSFER", "200|ctx|100|60|1"),
    )
    lines.append(f"{t('2026-10-30 16:31')}|NONE|info|SIP/1001|REMOVEMEMBER|")
    # 01:30 EDT on the day the clocks go back (05:30 UTC), answered an hour later, at 01:30 EST.
    lines += call("c12", "2026-11-01 01:30", (3600, "CONNECT", "3600|x|1"))
    lines.append(f"{t('2026-11-02 07:00')}|c13|info|NONE|BOGUSEVENT|1")
    lines += call("c13", "2026-11-02 07:30", (30, "CONNECT", "30|x|1"))
    lines += call("c14", "2026-11-02 08:00", (240, "CONNECT", "240|x|1"))
    lines.append(f"{t('2026-11-02 08:10')}|c18|info|NONE|ABANDON|1|1|many")
    return lines


INFO = {
    "offered": 11,
    "short_abandoned": 1,
    "answered": 5,
    "answered_within_target": 3,
    "abandoned": 1,
    "out_of_hours": 5,
    "service_level": 0.3,
    "asa_s": 144.2,  # (20 + 180 + 181 + 100 + 240) / 5
    "wait_p90_s": 240,
    "abandonment_rate": 0.1,
}
ALL_QUEUES = {
    **INFO,
    "offered": 12,
    "answered": 6,
    "answered_within_target": 4,
    "service_level": 0.3636,  # 4 / 11
    "abandonment_rate": 0.0909,  # 1 / 11
    "asa_s": 121.8,  # 731 / 6
    "wait_p90_s": 240,
}


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "queue_log"
    path.write_text("\n".join(queue_log()) + "\n", encoding="utf-8")
    return path


def test_the_hand_computed_figures(
    log_file: Path, quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_command(capsys, "telephone", "import", str(log_file))
    assert run.code == 0
    assert run.err.splitlines() == [
        f"{log_file}:27: ligne illisible, ignorée : moins de cinq champs séparés par |",
        f"{log_file}:38: ligne illisible, ignorée : événement inconnu : 'BOGUSEVENT'",
        f"{log_file}:43: ligne illisible, ignorée : ABANDON : durée illisible (data3)",
    ]
    run = run_command(
        capsys,
        "telephone",
        "stats",
        "--from",
        "2026-10-26",
        "--to",
        "2026-11-02",
        "--queue",
        "info",
        "--json",
    )
    assert json.loads(run.out) == INFO
    run = run_command(
        capsys, "telephone", "stats", "--from", "2026-10-26", "--to", "2026-11-02", "--json"
    )
    assert json.loads(run.out) == ALL_QUEUES
    assert list(json.loads(run.out)) == list(INFO)


def test_local_dates_dst_and_midnight(log_file: Path, quebec_calendar: None) -> None:
    queue_log_import(path=log_file)
    c11 = Call.objects.get(callid="c11")
    assert (str(c11.day), c11.second_of_day, c11.wait_s) == ("2026-10-27", 86370, 90)
    assert c11.weekday == 2  # a Tuesday
    c12 = Call.objects.get(callid="c12")
    assert (str(c12.day), c12.second_of_day) == ("2026-11-01", 5400)
    c13 = Call.objects.get(callid="c13")
    assert (str(c13.day), c13.second_of_day) == ("2026-11-02", 7 * 3600 + 1800)
    # The Tuesday alone: c1–c5 and the call of the other queue; c11 is out of hours.
    figures = telephone_stats(D("2026-10-27"), D("2026-10-27"))
    assert (figures["offered"], figures["out_of_hours"], figures["service_level"]) == (6, 1, 0.6)
    # The Sunday of the change: one call, out of hours; the Monday after: c13 out, c14 in.
    sunday = telephone_stats(D("2026-11-01"), D("2026-11-01"))
    assert (sunday["offered"], sunday["out_of_hours"]) == (0, 1)
    monday = telephone_stats(D("2026-11-02"), D("2026-11-02"))
    assert (monday["offered"], monday["out_of_hours"], monday["answered_within_target"]) == (
        1,
        1,
        0,
    )
    assert (c1 := Call.objects.get(callid="c1")).talk_s == 300 and c1.agent == "SIP/1001"
    assert Call.objects.get(callid="c10").talk_s == 60
    assert list(MemberEvent.objects.values_list("kind", flat=True).order_by("at")) == [
        "login",
        "logoff",
    ]


def test_a_closure_day_is_out_of_hours(tmp_path: Path, quebec_calendar: None) -> None:
    path = tmp_path / "q"
    path.write_text("\n".join(call("x", "2026-12-24 09:00", (10, "CONNECT", "10|x|1"))) + "\n")
    queue_log_import(path=path)
    figures = telephone_stats(D("2026-12-24"), D("2026-12-24"))
    assert (figures["offered"], figures["out_of_hours"], figures["service_level"]) == (0, 1, None)


def test_the_same_file_twice_counts_nothing_twice(
    log_file: Path, tmp_path: Path, quebec_calendar: None
) -> None:
    first = queue_log_import(path=log_file)
    assert (first.lines, first.calls, len(first.errors)) == (43, 17, 3)
    again = queue_log_import(path=log_file)
    assert (again.lines, again.events, again.errors) == (0, 0, [])
    # The same lines under another name (a copy, a rotated file) are read but change nothing.
    copy = tmp_path / "queue_log.1"
    shutil.copy(log_file, copy)
    queue_log_import(path=copy)
    assert Call.objects.count() == 17 and MemberEvent.objects.count() == 2
    figures = telephone_stats(D("2026-10-26"), D("2026-11-02"), "info")
    assert figures == INFO


def test_a_growing_file_is_read_on(tmp_path: Path, quebec_calendar: None) -> None:
    lines = queue_log()
    text = "\n".join(lines) + "\n"
    path = tmp_path / "queue_log"
    # The platform is writing: a first part ending in the middle of a line.
    cut = text.index("\n", len(text) // 2) + 8
    path.write_text(text[:cut])
    first = queue_log_import(path=path)
    source = LogSource.objects.get()
    assert source.offset == text.rindex("\n", 0, cut) + 1
    assert source.lines == first.lines == text[:cut].count("\n")
    path.write_text(text)
    second = queue_log_import(path=path)
    assert second.restarted is False
    assert first.lines + second.lines == len(lines)
    assert sorted(n for n, _e in first.errors + second.errors) == [27, 38, 43]
    figures = telephone_stats(D("2026-10-26"), D("2026-11-02"), "info")
    assert figures == INFO


def test_a_replaced_file_is_read_from_the_start(log_file: Path, quebec_calendar: None) -> None:
    queue_log_import(path=log_file)
    log_file.write_text(
        "\n".join(call("new", "2026-11-03 09:00", (10, "CONNECT", "10|x|1"))) + "\n"
    )
    result = queue_log_import(path=log_file)
    assert (result.restarted, result.lines, result.calls) == (True, 2, 1)
    assert LogSource.objects.get().lines == 2
    assert Call.objects.count() == 18


CSV = """call_id,queue,entered_at,outcome,wait_s,talk_s,agent
a1,info,2026-10-27T09:00:00-04:00,answered,20,300,agent-1
a2,info,2026-10-27T09:05:00-04:00,abandoned,4,,
a3,info,2026-10-27T09:10:00-04:00,abandoned,200,,
a4,info,2026-10-27T09:15:00-04:00,answered,181,60,agent-2
a5,info,2026-10-27T20:00:00-04:00,answered,1,10,agent-2
a6,info,2026-10-27T09:20:00,answered,1,10,agent-2
a7,info,2026-10-27T09:25:00-04:00,lost,1,,
"""


def test_the_csv_format(
    tmp_path: Path, quebec_calendar: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(CSV)
    run = run_command(capsys, "telephone", "import", str(path), "--json")
    result = json.loads(run.out)
    assert [e["line"] for e in result["unreadable"]] == [7, 8]
    assert result["calls"] == 5
    figures = telephone_stats(D("2026-10-27"), D("2026-10-27"))
    assert figures == {
        "offered": 4,
        "short_abandoned": 1,
        "answered": 2,
        "answered_within_target": 1,
        "abandoned": 1,
        "out_of_hours": 1,
        "service_level": 0.3333,
        "asa_s": 100.5,
        "wait_p90_s": 181,
        "abandonment_rate": 0.3333,
    }


def test_bad_input_says_why(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = run_command(
        capsys, "telephone", "stats", "--from", "2026-13-01", "--to", "2026-10-01", "--json"
    )
    assert (run.code, run.err.strip()) == (
        2,
        "guichet telephone : date illisible '2026-13-01' (AAAA-MM-JJ)",
    )
    run = run_command(capsys, "telephone", "import", str(tmp_path / "missing"))
    assert run.code == 2 and "fichier introuvable" in run.err


def test_staffing_command(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(
        capsys,
        "telephone",
        "staffing",
        "--calls",
        "100",
        "--aht",
        "180",
        "--target",
        "0.8",
        "--within",
        "20",
        "--json",
    )
    # The textbook example: 100 calls in half an hour, 3 minutes each, 80 % within 20 s.
    assert json.loads(run.out) == {"agents": 14, "service_level": 0.8884}


def test_the_configured_logs_for_a_timer(
    log_file: Path, quebec_calendar: None, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from guichet.contact.tasks import import_configured_sources

    settings.GUICHET_TELEPHONY_LOGS = [(str(log_file), "asterisk")]
    settings.GUICHET_VOICEMAIL_DIR = settings.GUICHET_IMAP_HOST = ""
    run = run_command(capsys, "telephone", "import", "--json")
    assert [r["lines"] for r in json.loads(run.out)] == [43]
    # The task reads on from there: nothing new.
    assert import_configured_sources.call() == {
        "queue_log_lines": 0,
        "voice_messages": 0,
        "emails": 0,
    }
    settings.GUICHET_TELEPHONY_LOGS = []
    run = run_command(capsys, "telephone", "import")
    assert (run.code, run.err.strip()) == (
        2,
        "guichet telephone import : aucun fichier (ni GUICHET_TELEPHONY_LOGS)",
    )
