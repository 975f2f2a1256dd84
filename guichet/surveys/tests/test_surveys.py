"""Consent, sampling after decisions (at most one invitation per person per 90 days), the
anonymous questionnaire, its comment to the Commissaire, and the results with Wilson
intervals, hidden under 5 answers, in the annual report."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from guichet.complaints.models import Complaint, Kind
from guichet.dossiers.models import Dossier
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.surveys.models import Invitation, Response, Source
from guichet.surveys.results import satisfaction, wilson
from guichet.surveys.services import survey_consent_set, survey_invite, surveys_sample
from guichet.testing import Personas, make_dossier, run_command, signed_in_client

pytestmark = pytest.mark.django_db
D = date.fromisoformat
ALL_GOOD = {
    "courtesy": "1",
    "clear_language": "2",
    "complete_information": "1",
    "decision_explained": "3",
    "appointment_time": "0",
    "right_referral": "2",
    "overall": "2",
}


def test_wilson_against_known_values() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_no_consent_no_invitation(personas: Personas) -> None:
    assert (
        survey_invite(
            person=personas.owner, source=Source.MEETING_HELD, source_ref="R-1", service_code="x"
        )
        is None
    )
    assert Invitation.objects.count() == 0


def test_the_client_agrees_on_the_account_page(personas: Personas) -> None:
    client = signed_in_client(personas.owner)
    page = client.get(reverse("accounts:security")).content.decode()
    assert 'action="/sondage/mon-accord/"' in page
    client.post(reverse("surveys:consent"), {"agreed": "on"})
    assert survey_invite(
        person=personas.owner, source=Source.MEETING_HELD, source_ref="R-1", service_code="x"
    )
    client.post(reverse("surveys:consent"), {})
    assert (
        survey_invite(
            person=personas.owner, source=Source.MEETING_HELD, source_ref="R-2", service_code="x"
        )
        is None
    )


def test_at_most_one_invitation_per_90_days(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    survey_consent_set(user=personas.owner, agreed=True)

    def invite(ref: str, day: str) -> Invitation | None:
        return survey_invite(
            person=personas.owner,
            source=Source.ENQUIRY_ANSWERED,
            source_ref=ref,
            service_code="x",
            today=D(day),
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = invite("E-1", "2026-05-01")
    assert first is not None
    assert mail.outbox[0].to == ["proprietaire@example.org"]
    assert f"/sondage/{first.link_token}/" in mail.outbox[0].body
    assert invite("E-2", "2026-07-29") is None  # day 89
    assert invite("E-3", "2026-07-30") is not None  # day 90


@time_machine.travel("2026-11-03 08:00 -05:00", tick=False)
def test_the_sampler_reads_the_decided_dossiers(personas: Personas, capsys: Any) -> None:
    survey_consent_set(user=personas.owner, agreed=True)
    dossier = make_dossier(personas)
    Dossier.objects.filter(pk=dossier.pk).update(decided_on=D("2026-11-02"), state="decided")
    done = surveys_sample(day=D("2026-11-02"), percent=100)
    assert (done.decided, done.drawn, done.invited) == (1, 1, 1)
    invitation = Invitation.objects.get()
    assert (invitation.source, invitation.source_ref, invitation.service_code) == (
        "dossier_decided",
        dossier.number,
        "caq-etudiant",
    )
    assert invitation.unit == dossier.unit
    # Run again (a retried cron): nothing twice. None drawn at 0 %.
    run = run_command(capsys, "surveys-sample", "--date", "2026-11-02", "--percent", "100")
    assert run.out.strip() == "2026-11-02 : 1 dossiers décidés, 1 tirés, 0 invitations envoyées"
    assert surveys_sample(day=D("2026-11-02"), percent=0).drawn == 0


def test_the_questionnaire_is_anonymous_and_single_use(personas: Personas) -> None:
    survey_consent_set(user=personas.owner, agreed=True)
    invitation = survey_invite(
        person=personas.owner,
        source=Source.MEETING_HELD,
        source_ref="R-9",
        service_code="caq-etudiant",
    )
    assert invitation is not None
    url = reverse("surveys:answer", args=[invitation.link_token])
    browser = Client()
    assert browser.get(url).status_code == 200
    assert browser.post(url, {"courtesy": "1"}).status_code == 400
    assert Response.objects.count() == 0
    response = browser.post(url, {**ALL_GOOD, "comment": "Merci pour votre aide précieuse."})
    assert response.status_code == 302
    answer = Response.objects.get()
    assert (answer.service_code, answer.courtesy, answer.appointment_time, answer.overall) == (
        "caq-etudiant",
        1,
        0,
        2,
    )
    assert not [f for f in Response._meta.get_fields() if f.name in ("person", "invitation")]
    comment = Complaint.objects.get()
    assert (comment.kind, comment.text, comment.complainant, comment.contact_email) == (
        Kind.COMMENT,
        "Merci pour votre aide précieuse.",
        None,
        "",
    )
    assert browser.get(url).status_code == 404
    assert browser.post(url, ALL_GOOD).status_code == 404
    assert Response.objects.count() == 1
    assert Client().get(reverse("surveys:answer", args=["nope"])).status_code == 404


def answers(service: str, day: str, courtesy: list[int]) -> None:
    for value in courtesy:
        Response.objects.create(
            source=Source.DOSSIER_DECIDED,
            service_code=service,
            submitted_on=D(day),
            courtesy=value,
            clear_language=1,
            complete_information=1,
            decision_explained=1,
            appointment_time=0,
            right_referral=0,
            overall=1,
        )


def test_results_hide_groups_under_5(personas: Personas) -> None:
    answers("caq-etudiant", "2026-06-01", [1, 2, 2, 3, 1, 1])
    answers("csq-travailleur-permanent", "2026-06-01", [1, 4, 4, 4])
    rows = {(r.code, r.group): r for r in satisfaction(D("2026-04-01"), D("2027-03-31"))}
    whole = rows[("satisfaction-courtoisie", "")]
    assert (whole.numerator, whole.denominator, whole.share_tenths) == (6, 10, 600)
    assert (whole.low_tenths, whole.high_tenths) == (312, 832)
    caq = [r for (code, _g), r in rows.items() if code == "satisfaction-courtoisie" and r.group][0]
    small = [
        r for r in rows.values() if r.code == "satisfaction-courtoisie" and r.group and not r.shown
    ]
    assert (caq.numerator, caq.denominator) == (5, 6)
    assert len(small) == 1 and small[0].share_tenths is None and small[0].denominator == 0
    # "Does not apply" is never counted: no answer at all for the appointment time.
    assert rows[("satisfaction-heure-rendez-vous", "")].shown is False


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_the_annual_report_has_the_satisfaction_rows(personas: Personas) -> None:
    answers("caq-etudiant", "2026-06-01", [1, 1, 1, 2, 3])
    report = annual_report(FiscalYear(2026))
    codes = {r.code for r in report.satisfaction}
    assert {
        "satisfaction-courtoisie",
        "satisfaction-globale",
        "satisfaction-taux-de-reponse",
    } <= codes
    from guichet.reports.formats import render

    csv = render(report, "csv").decode()
    assert "satisfaction-courtoisie,Courtoisie et écoute,Ensemble des services,80.0" in csv
