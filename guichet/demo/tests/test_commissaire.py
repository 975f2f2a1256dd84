"""The demo's Commissaire's office, complaints, survey answers and referrals: the report of
the current fiscal year has results for both complaint commitments and the survey rows."""

import pytest
import time_machine
from django.test import Client

from guichet.demo.people import DEMO_PASSWORD
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.testing import run_command

pytestmark = pytest.mark.django_db


def test_the_demo_commissaire_and_a_year_of_results(capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel("2026-12-04 10:00 -05:00", tick=False):
        run = run_command(capsys, "demo", "--dossiers", "400")
        assert run.code == 0 and "commissaire@example.org" in run.out
        client = Client()
        assert client.login(username="commissaire@example.org", password=DEMO_PASSWORD)
        report = annual_report(FiscalYear(2026))
        rows = {r.code: r for r in report.commitments}
        for code in ("plaintes-accuse-reception", "plaintes-reponse"):
            assert rows[code].measured and rows[code].result.volume > 20, code
        shown = {r.code for r in report.satisfaction if r.shown and not r.group}
        assert {"satisfaction-courtoisie", "satisfaction-globale"} <= shown
        assert [c.count > 10 for c in report.counts if not c.group] == [True]
        # A second run adds nothing.
        before = (len(report.satisfaction), rows["plaintes-reponse"].result.volume)
        assert run_command(capsys, "demo", "--dossiers", "400").code == 0
        again = annual_report(FiscalYear(2026))
        after_rows = {r.code: r for r in again.commitments}
        assert (len(again.satisfaction), after_rows["plaintes-reponse"].result.volume) == before
