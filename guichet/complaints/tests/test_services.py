"""Filing, acknowledging, asking for information, answering and recommending."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail

from guichet.accounts.models import Unit, User
from guichet.append_only import AppendOnlyError
from guichet.audit.models import AccessLog, SubjectKind
from guichet.complaints import services
from guichet.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    Kind,
    Outcome,
    State,
    Subject,
)
from guichet.complaints.services import ComplaintError
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@time_machine.travel("2027-02-01 10:00 -05:00", tick=False)
def test_an_anonymous_person_complains_with_a_way_to_be_reached(personas: Personas) -> None:
    complaint = services.complaint_file(
        actor=None,
        kind=Kind.COMMENT,
        subject=Subject.LANGUAGE,
        text="Le formulaire était difficile à comprendre.",
        contact_name="Ana Exemple",
        contact_email="ana@example.org",
    )
    assert complaint.number == f"P-2027-{complaint.pk:05d}"
    assert (complaint.channel, complaint.received_on, complaint.complainant) == (
        Channel.WEB,
        D("2027-02-01"),
        None,
    )
    assert list(complaint.events.values_list("kind", "occurred_on")) == [
        ("received", D("2027-02-01"))
    ]
    entry = AccessLog.objects.filter(subject_kind=SubjectKind.COMPLAINT).get()
    assert (entry.subject_id, entry.person_id, entry.subject_number) == (complaint.pk, None, "")


def test_anonymous_without_any_contact_is_refused(personas: Personas) -> None:
    with pytest.raises(ComplaintError, match="moyen de vous joindre"):
        services.complaint_file(actor=None, kind=Kind.COMPLAINT, subject=Subject.OTHER, text="x")
    assert Complaint.objects.count() == 0


def test_a_client_cannot_link_someone_elses_dossier(personas: Personas) -> None:
    from guichet.testing import make_dossier

    dossier = make_dossier(personas)
    with pytest.raises(ComplaintError, match="pas le vôtre"):
        services.complaint_file(
            actor=personas.other_client,
            kind=Kind.COMPLAINT,
            subject=Subject.DELAYS,
            text="x",
            dossier=dossier,
        )
    assert Complaint.objects.count() == 0


@time_machine.travel("2027-02-10 10:00 -05:00", tick=False)
def test_the_office_enters_a_mailed_complaint_with_its_real_date(
    personas: Personas, commissaire: User
) -> None:
    complaint = services.complaint_file(
        actor=commissaire,
        kind=Kind.COMPLAINT,
        subject=Subject.DECISION,
        text="Lettre reçue.",
        channel=Channel.MAIL,
        received_on=D("2027-02-05"),
        contact_name="Lou Exemple",
        contact_address="1, rue Exemple\nQuébec",
    )
    assert complaint.received_on == D("2027-02-05")
    assert complaint.events.get().actor == commissaire


def test_an_agent_cannot_enter_a_complaint(personas: Personas) -> None:
    with pytest.raises(ComplaintError):
        services.complaint_file(
            actor=personas.agent,
            kind=Kind.COMPLAINT,
            subject=Subject.DECISION,
            text="x",
            channel=Channel.PHONE,
            received_on=D("2026-01-05"),
            contact_phone="514-555-0000",
        )
    assert Complaint.objects.count() == 0


def test_the_whole_life_of_a_complaint(
    complaint: Complaint,
    commissaire: User,
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_acknowledge(complaint=complaint, actor=commissaire)
    assert [m.to for m in mail.outbox] == [["proprietaire@example.org"]]
    assert complaint.number in mail.outbox[0].subject
    assert "10 jours ouvrables" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_request_information(
            complaint=complaint, actor=commissaire, question="À quelle date ?"
        )
    complaint.refresh_from_db()
    assert complaint.state == State.WAITING
    with pytest.raises(ComplaintError, match="renseignements sont attendus"):
        services.complaint_answer(
            complaint=complaint,
            actor=commissaire,
            outcome=Outcome.FOUNDED,
            findings="f",
            changes="c",
        )
    services.complaint_information_received(complaint=complaint, actor=commissaire, note="Le 3.")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_answer(
            complaint=complaint,
            actor=commissaire,
            outcome=Outcome.FOUNDED,
            findings="L'appel a bien été coupé.",
            changes="Une formation sur l'accueil téléphonique.",
        )
    complaint.refresh_from_db()
    assert (complaint.state, complaint.outcome) == (State.ANSWERED, Outcome.FOUNDED)
    assert "L'appel a bien été coupé." in mail.outbox[-1].body
    caq = Unit.objects.get(code="caq")
    recommendation = services.recommendation_make(
        complaint=complaint, actor=commissaire, unit=caq, text="Former l'équipe."
    )
    # A supervisor of another unit cannot close it; the unit's can.
    csq_supervisor = User.objects.create_user("sup.csq@example.org", "x")
    csq_supervisor.memberships.create(unit=Unit.objects.get(code="csq"), role="supervisor")
    with pytest.raises(ComplaintError):
        services.recommendation_report_done(
            recommendation=recommendation, actor=csq_supervisor, report="x"
        )
    done = services.recommendation_report_done(
        recommendation=recommendation, actor=personas.supervisor, report="Formation donnée."
    )
    assert done.done_report == "Formation donnée."
    assert list(complaint.events.values_list("kind", flat=True)) == [
        "received",
        "acknowledged",
        "info_requested",
        "info_received",
        "answered",
        "recommended",
        "recommendation_done",
    ]


def test_an_unfounded_complaint_carries_no_recommendation(
    complaint: Complaint, commissaire: User
) -> None:
    services.complaint_answer(
        complaint=complaint, actor=commissaire, outcome=Outcome.UNFOUNDED, findings="f", changes="-"
    )
    with pytest.raises(ComplaintError):
        services.recommendation_make(
            complaint=complaint, actor=commissaire, unit=Unit.objects.get(code="caq"), text="x"
        )


def test_the_history_is_append_only(complaint: Complaint) -> None:
    event = ComplaintEvent.objects.get(complaint=complaint)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
