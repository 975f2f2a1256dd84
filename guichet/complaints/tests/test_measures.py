"""The complaint commitments in the annual report, and the Commissaire's yearly section."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from guichet.accounts.models import Unit, User
from guichet.complaints import services
from guichet.complaints.measures import stopped
from guichet.complaints.models import Channel, Complaint, Kind, Outcome, Subject
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.testing import Personas, signed_in_client

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def entered(
    commissaire: User, received: str, kind: Kind = Kind.COMPLAINT, subject: str = Subject.DELAYS
) -> Complaint:
    return services.complaint_file(
        actor=commissaire,
        kind=kind,
        subject=subject,
        text="x",
        channel=Channel.PHONE,
        received_on=D(received),
        contact_phone="514-555-0100",
    )


@pytest.fixture
def year(personas: Personas, commissaire: User) -> None:
    """Three complaints and a comment received in February 2027."""
    caq = Unit.objects.get(code="caq")
    with time_machine.travel("2027-02-01 10:00 -05:00", tick=False):
        on_time = entered(commissaire, "2027-02-01")
        late = entered(commissaire, "2027-02-01", subject=Subject.COURTESY)
        comment = entered(commissaire, "2027-02-01", kind=Kind.COMMENT)
        entered(commissaire, "2027-02-01")  # never acknowledged
        services.complaint_set_unit(complaint=on_time, actor=commissaire, unit=caq)
    with time_machine.travel("2027-02-03 10:00 -05:00", tick=False):  # day 2
        services.complaint_acknowledge(complaint=on_time, actor=commissaire)
        services.complaint_acknowledge(complaint=comment, actor=commissaire)
    with time_machine.travel("2027-02-04 10:00 -05:00", tick=False):  # day 3
        services.complaint_acknowledge(complaint=late, actor=commissaire)
    with time_machine.travel("2027-02-15 10:00 -05:00", tick=False):  # day 10
        services.complaint_answer(
            complaint=on_time, actor=commissaire, outcome=Outcome.FOUNDED, findings="f", changes="c"
        )
    with time_machine.travel("2027-02-16 10:00 -05:00", tick=False):  # day 11
        services.complaint_answer(
            complaint=late, actor=commissaire, outcome=Outcome.UNFOUNDED, findings="f", changes="-"
        )


def test_the_stopped_clocks(year: None) -> None:
    result = stopped(D("2026-04-01"), D("2027-03-31"))
    assert sorted(zip(result.elapsed.tolist(), result.met.tolist(), strict=True)) == [
        (2, True),
        (2, True),
        (3, False),
        (10, True),
        (11, False),
    ]


@time_machine.travel("2027-05-15 10:00 -04:00", tick=False)
def test_the_annual_report_has_both_commitments(year: None) -> None:
    report = annual_report(FiscalYear(2026))
    rows = {r.code: r for r in report.commitments}
    ack, answer = rows["plaintes-accuse-reception"], rows["plaintes-reponse"]
    assert ack.measured and answer.measured
    assert (ack.result.met, ack.result.volume) == (2, 3)
    assert (answer.result.met, answer.result.volume) == (1, 2)


@time_machine.travel("2027-03-01 10:00 -05:00", tick=False)
def test_the_yearly_section(year: None, commissaire: User) -> None:
    response = signed_in_client(commissaire).get(reverse("complaints:year"), {"exercice": "2026"})
    figures = response.context["figures"]
    assert (figures.complaints, figures.comments) == (3, 1)
    assert ("Délais", 2, 1) in figures.by_subject and ("Courtoisie", 1, 0) in figures.by_subject
    assert figures.by_unit == [
        ("Aucune unité en particulier", 2, 1),
        ("Direction de l'immigration temporaire", 1, 0),
    ]
    assert figures.by_outcome == [("Fondée", 1), ("Partiellement fondée", 0), ("Non fondée", 1)]
    assert (figures.acknowledged, figures.answered) == ((2, 3), (1, 2))


@time_machine.travel("2027-02-05 10:00 -05:00", tick=False)
def test_the_worklist_is_by_due_date(personas: Personas, commissaire: User) -> None:
    later = entered(commissaire, "2027-02-04")
    sooner = entered(commissaire, "2027-02-02")
    overdue = entered(commissaire, "2027-02-01")
    # Received the day before, one day counted when the clock stopped: no due date.
    waiting = entered(commissaire, "2027-02-04")
    services.complaint_request_information(complaint=waiting, actor=commissaire, question="?")
    items = signed_in_client(commissaire).get(reverse("complaints:office")).context["items"]
    assert [(i.complaint, i.clock.due_date) for i in items] == [
        (overdue, D("2027-02-03")),
        (sooner, D("2027-02-04")),
        (later, D("2027-02-08")),
        (waiting, None),
    ]
