"""Commitments measured by other apps (guichet/measures.py) in the dashboard and the report."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pytest
import time_machine

from guichet import measures
from guichet.accounts.models import Unit
from guichet.catalogue.models import Commitment
from guichet.measures import Stopped, register_measure, stopped_between
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.reports.tests.builders import client_for
from guichet.testing import Personas

pytestmark = pytest.mark.django_db

D = date.fromisoformat
NOW = "2027-05-15 10:00 -04:00"
PERIOD = {"du": "2026-04-01", "au": "2027-03-31"}


@pytest.fixture
def calls(personas: Personas) -> Iterator[dict[str, Any]]:
    """Telephone waits (seconds, target 180) registered as another app's measure: three in
    2026-2027 (two within 3 minutes), one in the year before, one of another unit's, one that
    stopped after the period."""
    phone = Commitment.objects.get(code="renseignements-telephone-reponse")
    caq, csq = Unit.objects.get(code="caq").pk, Unit.objects.get(code="csq").pk
    rows = [
        (D("2026-05-04"), 60, caq),
        (D("2027-01-11"), 180, 0),
        (D("2027-03-31"), 181, caq),
        (D("2025-10-01"), 30, caq),
        (D("2027-02-01"), 10, csq),
        (D("2027-04-01"), 10, caq),
    ]

    @register_measure("test-telephone")
    def telephone(first_day: date, last_day: date) -> Stopped:
        return Stopped.of(
            commitment=[phone.pk] * len(rows),
            stop_day=[day.toordinal() for day, _s, _u in rows],
            elapsed=[seconds for _d, seconds, _u in rows],
            met=[seconds <= phone.target for _d, seconds, _u in rows],
            unit=[unit for _d, _s, unit in rows],
            measured=[phone.pk],
        )

    yield {"phone": phone}
    del measures._MEASURES["test-telephone"]


def test_only_the_period_is_kept(calls: dict[str, Any]) -> None:
    stopped = stopped_between(D("2026-04-01"), D("2027-03-31"))
    assert sorted(stopped.elapsed.tolist()) == [10, 60, 180, 181]
    # Every app measures its own commitments (complaints, meetings…), with or without clocks.
    assert calls["phone"].pk in stopped.measured
    assert (
        set(
            Commitment.objects.filter(
                code__in=["plaintes-accuse-reception", "plaintes-reponse"]
            ).values_list("pk", flat=True)
        )
        <= stopped.measured
    )


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one entry per clock"):
        Stopped.of(commitment=[1, 2], stop_day=[1], elapsed=[1, 2], met=[True, False])


@time_machine.travel(NOW, tick=False)
def test_the_annual_report_counts_them(calls: dict[str, Any]) -> None:
    report = annual_report(FiscalYear(2026))
    [row] = [r for r in report.commitments if r.commitment_id == calls["phone"].pk]
    assert row.measured is True
    # 60, 180, 181 and another unit's 10: three of four within 180 seconds.
    assert (row.result.met, row.result.volume, row.result.median, row.result.p90) == (
        3,
        4,
        60,
        181,
    )
    previous = row.previous[0]
    assert previous is not None and (previous.met, previous.volume) == (1, 1)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_the_supervisors_units_and_the_ministrys(
    personas: Personas, calls: dict[str, Any]
) -> None:
    client = client_for(personas.supervisor)
    response = client.get("/resultats/", PERIOD)
    board = response.context["board"]
    [row] = [r for r in board.rows if r.commitment == calls["phone"]]
    # The csq unit's call is not the caq supervisor's; the one of no unit is everyone's.
    assert (row.result.met, row.result.volume) == (2, 3)
    assert row.dossiers is False
    january = [m for m in row.months if m.key == "2027-01"][0]
    assert (january.result.met, january.result.volume) == (1, 1)
    html = response.content.decode()
    assert "180 secondes" in html
    # No drill-down into dossiers for a figure that counts no dossier.
    assert f"engagement={calls['phone'].pk}" not in html
    # A channel is a dossier's: filtering on one leaves the calls out.
    board = client.get("/resultats/", {**PERIOD, "canal": "mail"}).context["board"]
    assert calls["phone"] not in [r.commitment for r in board.rows]


def test_an_empty_stopped_has_the_right_types() -> None:
    empty = Stopped.empty()
    assert len(empty) == 0
    assert empty.met.dtype == np.bool_ and empty.unit.dtype == np.int64


def test_the_dashboard_reads_the_apps_at_most_once_a_minute(
    calls: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[date] = []
    phone = calls["phone"]

    @register_measure("test-counter")
    def counter(first_day: date, last_day: date) -> Stopped:
        asked.append(first_day)
        return Stopped.of(commitment=[], stop_day=[], elapsed=[], met=[], measured=[phone.pk])

    try:
        first = measures.stopped_recently(D("2026-04-01"), D("2027-03-31"))
        again = measures.stopped_recently(D("2026-04-01"), D("2027-03-31"))
        assert again is first and len(asked) == 1
        measures.stopped_recently(D("2026-05-01"), D("2027-03-31"))  # another period
        assert len(asked) == 2
        monkeypatch.setattr(measures, "RECENT_SECONDS", 0)
        measures.stopped_recently(D("2026-04-01"), D("2027-03-31"))
        assert len(asked) == 3
    finally:
        del measures._MEASURES["test-counter"]
