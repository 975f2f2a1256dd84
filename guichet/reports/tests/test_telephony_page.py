"""The supervisors' telephony page: the figures of the hand-computed queue log, per day, per
half hour, the waits, out-of-hours calls and the staffing of a week; supervisors only."""

from pathlib import Path

import pytest
import time_machine

from guichet.contact.models import Call
from guichet.contact.queuelog import queue_log_import
from guichet.contact.tests.test_telephone import call, queue_log, t
from guichet.reports.tests.builders import client_for
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
PERIOD = {"du": "2026-10-26", "au": "2026-11-02", "file": "info", "semaine": "2026-11-02"}


@pytest.fixture
def imported(tmp_path: Path, personas: Personas) -> None:
    path = tmp_path / "queue_log"
    lines = queue_log()
    # Eight earlier Mondays with two calls each at 9:00 (4 minutes of conversation), and an
    # agent logged in on 2026-11-02 from 8:10 to 9:10.
    for n, monday in enumerate(
        [
            "2026-09-07",
            "2026-09-14",
            "2026-09-21",
            "2026-09-28",
            "2026-10-05",
            "2026-10-12",
            "2026-10-19",
            "2026-10-26",
        ]
    ):
        for k in range(2):
            lines = (
                call(
                    f"w{n}{k}",
                    f"{monday} 09:0{k}",
                    (10, "CONNECT", "10|x|1"),
                    (250, "COMPLETECALLER", "10|240|1"),
                )
                + lines
            )
    lines.append(f"{t('2026-11-02 08:10')}|NONE|info|SIP/1002|ADDMEMBER|")
    lines.append(f"{t('2026-11-02 09:10')}|NONE|info|SIP/1002|REMOVEMEMBER|")
    path.write_text("\n".join(lines) + "\n")
    queue_log_import(path=path)


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_the_supervisor_sees_the_figures(personas: Personas, imported: None) -> None:
    response = client_for(personas.supervisor).get("/resultats/telephonie/", PERIOD)
    assert response.status_code == 200
    c = response.context
    # The hand-computed log's 11, and the two calls of Monday 2026-10-26 at 9:00.
    assert c["total"]["offered"] == 11 + 2
    tuesday = dict(c["days"])["2026-10-27"]
    assert (tuesday["offered"], tuesday["answered_within_target"], tuesday["sl"]) == (
        5,
        2,
        "50,0 %",
    )
    slots = dict(c["slots"])
    assert slots["09 h 00"]["offered"] == 3 + 2  # the Tuesday's 9:00–9:29, the Monday's
    assert dict(c["wait_bins"]) == {
        "≤ 30 s": 3,
        "31–60 s": 0,
        "61–120 s": 1,
        "121–180 s": 1,
        "181–300 s": 2,
        "301–600 s": 0,
        "> 600 s": 0,
    }
    assert [str(d) for d, _n in c["out_of_hours"]][:2] == ["2026-10-27", "2026-10-28"]
    nine = [r for r in c["staffing"] if r["day"] == "lundi" and r["slot"] == "09 h 00"][0]
    # Labour Day (09-07) and Thanksgiving (10-12) are closed: 12 calls in 8 weeks, 240 s each.
    assert (nine["expected"], nine["aht"], nine["agents"], nine["logged_in"]) == (
        "1,5",
        "240",
        1,
        1,
    )
    eight = [r for r in c["staffing"] if r["day"] == "lundi" and r["slot"] == "08 h 00"][0]
    assert (eight["logged_in"], eight["agents"]) == (1, 0)
    html = response.content.decode()
    assert 'id="per-day"' in html and "<svg" in html


@pytest.mark.parametrize("who", ["owner", "agent", "other_agent"])
def test_others_get_nothing(personas: Personas, imported: None, who: str) -> None:
    before = Call.objects.count()
    response = client_for(getattr(personas, who)).get("/resultats/telephonie/", PERIOD)
    assert response.status_code == 404
    assert Call.objects.count() == before


def test_a_bad_period_is_refused(personas: Personas) -> None:
    response = client_for(personas.supervisor).get(
        "/resultats/telephonie/", {**PERIOD, "au": "2026-01-01"}
    )
    assert response.status_code == 400
