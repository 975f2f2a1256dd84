"""A frozen year keeps the satisfaction and referral figures it was frozen with; what the data
give differently later is listed with the corrections, never in place of the frozen rows."""

from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from guichet.referrals.models import Origin, Partner, Referral
from guichet.referrals.services import partners_load
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.reports.formats import render
from guichet.reports.services import report_freeze
from guichet.surveys.tests.test_surveys import D, answers
from guichet.testing import Personas

pytestmark = pytest.mark.django_db


def refer(day: str) -> None:
    Referral.objects.create(
        partner=Partner.objects.get(code="francisation-estrie"),
        need="french",
        origin=Origin.PUBLIC,
        referred_on=D(day),
    )


def figures(fy: FiscalYear) -> tuple[tuple[int, int], int]:
    report = annual_report(fy)
    whole = next(
        r for r in report.satisfaction if r.code == "satisfaction-courtoisie" and not r.group
    )
    total = next(c for c in report.counts if c.code == "orientations" and not c.group)
    return (whole.numerator, whole.denominator), total.count


def test_a_frozen_year_shows_its_frozen_satisfaction_and_referrals(personas: Personas) -> None:
    partners_load(path=Path(settings.GUICHET_PARTNERS_FILE))
    fy = FiscalYear(2026)
    answers("caq-etudiant", "2026-06-01", [1, 1, 1, 2, 3])
    refer("2026-06-02")
    with time_machine.travel("2027-04-02 10:00 -04:00", tick=False):
        snapshot = report_freeze(fiscal_year=fy, actor=None, actor_label="test")
        assert figures(fy) == ((4, 5), 1)
        # Late data for the frozen year: an answer and two referrals.
        answers("caq-etudiant", "2027-03-30", [4])
        refer("2027-03-30")
        refer("2027-03-31")
        report = annual_report(fy)
        assert figures(fy) == ((4, 5), 1)
        corrections = {(c.what, c.code, c.declaration): c for c in report.corrections}
        courtesy = corrections[("satisfaction", "satisfaction-courtoisie", "")]
        assert (courtesy.frozen.met, courtesy.frozen.volume) == (4, 5)  # type: ignore[union-attr]
        assert (courtesy.current.met, courtesy.current.volume) == (4, 6)  # type: ignore[union-attr]
        referrals = corrections[("compte", "orientations", "")]
        assert (referrals.frozen.volume, referrals.current.volume) == (1, 3)  # type: ignore[union-attr]
        csv = render(report, "csv").decode()
        assert "satisfaction-courtoisie,Courtoisie et écoute,Ensemble des services,80.0" in csv
        assert "compte,orientations,,,1,,,,3,," in csv
        assert "satisfaction,satisfaction-courtoisie,,80.0,5,,,66.7,6,," in csv
    assert snapshot.intact
    assert [
        r["count"]
        for r in snapshot.content["counts"]
        if r["code"] == "orientations" and not r["group"]
    ] == [1]


def test_a_snapshot_frozen_before_keeps_live_figures(personas: Personas) -> None:
    """A year frozen before the shares and counts were in the snapshot: its checksum covers
    what it holds, so they are computed from the data now (as before)."""
    fy = FiscalYear(2026)
    answers("caq-etudiant", "2026-06-01", [1, 1, 1, 2, 3])
    with time_machine.travel("2027-04-02 10:00 -04:00", tick=False):
        snapshot = report_freeze(fiscal_year=fy, actor=None, actor_label="test")
        from guichet.reports.models import content_checksum

        content = {k: v for k, v in snapshot.content.items() if k not in ("satisfaction", "counts")}
        type(snapshot).objects.filter(pk=snapshot.pk).update(
            content=content, checksum=content_checksum(content)
        )
        answers("caq-etudiant", "2027-03-30", [4])
        report = annual_report(fy)
    whole = next(
        r for r in report.satisfaction if r.code == "satisfaction-courtoisie" and not r.group
    )
    assert (whole.numerator, whole.denominator) == (4, 6)
    assert not [c for c in report.corrections if c.what == "satisfaction"]
