"""The meetings' clocks in the registry of measures (guichet/measures.py) and the report."""

from datetime import date

import pytest
import time_machine

from guichet.appointments import services
from guichet.appointments.measures import ended_apart
from guichet.appointments.models import AppointmentRequest
from guichet.appointments.tests.conftest import SERVICES, Offices, local, meeting_slot
from guichet.catalogue.models import Commitment
from guichet.measures import stopped_between
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def held(
    personas: Personas, offices: Offices, asked: str, at: str, arrived: str, start: str
) -> AppointmentRequest:
    with time_machine.travel(local(asked), tick=False):
        request = services.request_create(
            client=personas.owner,
            service_code=SERVICES[0],
            office=offices.montreal,
            actor=personas.owner,
        )
        slot = meeting_slot(offices.montreal, personas.agent, at)
        booking = services.booking_create(request=request, slot=slot, actor=personas.owner)
    with time_machine.travel(local(arrived), tick=False):
        services.booking_check_in(booking=booking, actor=personas.agent)
    with time_machine.travel(local(start), tick=False):
        services.booking_start(booking=booking, actor=personas.agent)
        services.booking_hold(booking=booking, actor=personas.agent)
    return request


@pytest.fixture
def meetings(personas: Personas, offices: Offices) -> None:
    # Asked Mon Nov 2, held Wed Nov 4 (2 days, met); checked in early, started 4 min late.
    held(
        personas,
        offices,
        "2026-11-02 10:00",
        "2026-11-04 09:00",
        "2026-11-04 08:50",
        "2026-11-04 09:04",
    )
    # Asked Mon Nov 2, held Tue Nov 10 (6 days, missed); started 15 minutes late.
    held(
        personas,
        offices,
        "2026-11-02 10:00",
        "2026-11-10 09:00",
        "2026-11-10 08:59",
        "2026-11-10 09:15",
    )
    # Held Nov 12 after a late arrival: out of the punctuality measure.
    held(
        personas,
        offices,
        "2026-11-09 10:00",
        "2026-11-12 09:00",
        "2026-11-12 09:05",
        "2026-11-12 09:06",
    )
    # Postponed: no outcome, reported apart.
    with time_machine.travel(local("2026-11-16 10:00"), tick=False):
        request = services.request_create(
            client=personas.owner,
            service_code=SERVICES[0],
            office=offices.montreal,
            actor=personas.owner,
        )
        services.request_postpone(request=request, actor=personas.owner)


def test_the_clocks_that_stopped(meetings: None) -> None:
    stopped = stopped_between(D("2026-11-01"), D("2026-11-30"))
    delay = Commitment.objects.get(code="siq-rencontre-individuelle-delai")
    punctual = Commitment.objects.get(code="siq-rencontre-ponctualite")
    rows = sorted(
        zip(
            stopped.commitment.tolist(), stopped.elapsed.tolist(), stopped.met.tolist(), strict=True
        )
    )
    assert rows == sorted(
        [
            (delay.pk, 2, True),
            (delay.pk, 6, False),
            (delay.pk, 3, True),
            (punctual.pk, 240, True),
            (punctual.pk, 900, False),
        ]
    )
    assert {delay.pk, punctual.pk} <= stopped.measured
    assert ended_apart(D("2026-11-01"), D("2026-11-30")) == {SERVICES[0]: {"postponed": 1}}


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_the_report_has_a_punctuality_row(meetings: None) -> None:
    report = annual_report(FiscalYear(2026))
    rows = {r.code: r for r in report.commitments}
    assert (
        rows["siq-rencontre-ponctualite"].result.met,
        rows["siq-rencontre-ponctualite"].result.volume,
    ) == (1, 2)
    assert (
        rows["siq-rencontre-individuelle-delai"].result.met,
        rows["siq-rencontre-individuelle-delai"].result.volume,
    ) == (2, 3)
