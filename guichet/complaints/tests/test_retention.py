"""The retention schedule reaches the complaints, the survey invitations and the referrals:
`guichet purge --apply` anonymizes or destroys what is due, through each app's services, writes
the access log, and a legal hold stops it."""

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.complaints.models import Complaint, ComplaintEvent, Kind, Outcome, Subject
from guichet.complaints.services import (
    complaint_acknowledge,
    complaint_answer,
    complaint_file,
    complaint_information_received,
    complaint_request_information,
)
from guichet.privacy.services import legal_hold_lift, legal_hold_place
from guichet.referrals.models import Origin, Partner, Referral
from guichet.referrals.services import partners_load, referral_make
from guichet.surveys.models import Invitation, Response, Source
from guichet.surveys.services import survey_consent_set, survey_invite
from guichet.testing import Personas, make_dossier, run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas, officer: User, commissaire: User) -> dict[str, Any]:
    """On 2027-02-01: a complaint of the owner about their dossier, answered; one of another
    client, answered; one not answered; an anonymous comment. A survey invitation and a
    referral of the owner."""
    with time_machine.travel("2027-02-01 10:00 -05:00", tick=False):
        dossier = make_dossier(personas)
        mine = complaint_file(
            actor=personas.owner,
            kind=Kind.COMPLAINT,
            subject=Subject.COURTESY,
            text="Agent impoli au comptoir numéro 7.",
            dossier=dossier,
        )
        complaint_acknowledge(complaint=mine, actor=commissaire)
        complaint_request_information(
            complaint=mine, actor=commissaire, question="Quel jour, Mme Exemple ?"
        )
        complaint_information_received(complaint=mine, actor=commissaire, note="Le 3 janvier.")
        complaint_answer(
            complaint=mine,
            actor=commissaire,
            outcome=Outcome.FOUNDED,
            findings="Mme Exemple a été mal reçue.",
            changes="Formation du personnel du comptoir.",
        )
        theirs = complaint_file(
            actor=personas.other_client,
            kind=Kind.COMPLAINT,
            subject=Subject.DELAYS,
            text="Trop long.",
        )
        complaint_answer(
            complaint=theirs,
            actor=commissaire,
            outcome=Outcome.UNFOUNDED,
            findings="Délai respecté.",
            changes="",
        )
        open_one = complaint_file(
            actor=None,
            kind=Kind.COMPLAINT,
            subject=Subject.OTHER,
            text="Pas encore traitée.",
            contact_email="ouverte@example.org",
        )
        comment = complaint_file(
            actor=None,
            kind=Kind.COMMENT,
            subject=Subject.LANGUAGE,
            text="Merci.",
            contact_name="Ana Exemple",
            contact_email="ana@example.org",
        )
        survey_consent_set(user=personas.owner, agreed=True)
        invitation = survey_invite(
            person=personas.owner,
            source=Source.MEETING_HELD,
            source_ref="R-9",
            service_code="caq-etudiant",
        )
        partners_load(path=Path(settings.GUICHET_PARTNERS_FILE))
        referral = referral_make(
            partner=Partner.objects.get(code="francisation-estrie"),
            need="french",
            origin=Origin.DOSSIER,
            person_email="proprietaire@example.org",
            actor=personas.agent,
            region="05",
            reason="Cours du soir.",
            dossier=dossier,
        )
    return {
        "dossier": dossier,
        "mine": mine,
        "theirs": theirs,
        "open": open_one,
        "comment": comment,
        "invitation": invitation,
        "referral": referral,
    }


def personal(complaint: Complaint) -> tuple[Any, ...]:
    complaint.refresh_from_db()
    return (
        complaint.text,
        complaint.complainant_id,
        complaint.contact_name,
        complaint.contact_email,
        complaint.findings,
        complaint.dossier_id,
    )


def test_nothing_before_its_term(capsys: pytest.CaptureFixture[str], world: dict[str, Any]) -> None:
    result = run_command(capsys, "purge", "--as-of", "2028-01-31")
    assert "survey_invitations (détruire 1 an après l'envoi) : 0 à détruire" in result.out
    result = run_command(capsys, "purge", "--as-of", "2032-01-31")
    assert "complaints (anonymiser 5 ans après la réponse) : 0 à anonymiser" in result.out
    assert "referrals (anonymiser 2 ans après l'orientation) : 1 à anonymiser" in result.out


def test_the_purge_anonymizes_past_complaints_and_spares_the_held_one(
    capsys: pytest.CaptureFixture[str],
    personas: Personas,
    officer: User,
    commissaire: User,
    world: dict[str, Any],
) -> None:
    mine, theirs, open_one, comment = (
        world["mine"],
        world["theirs"],
        world["open"],
        world["comment"],
    )
    hold = legal_hold_place(actor=officer, dossier=world["dossier"], reason="Recours au TAQ.")
    before = personal(mine)
    dry = run_command(capsys, "purge", "--as-of", "2032-02-01")
    assert [
        line for line in dry.out.splitlines() if line.startswith(("complaints", "  plainte"))
    ] == [
        "complaints (anonymiser 5 ans après la réponse) : 2 à anonymiser, "
        "1 sous conservation légale",
        f"  plainte {mine.number} : retenu (conservation légale)",
        f"  plainte {theirs.number}",
        f"  plainte {comment.number}",
    ]
    with time_machine.travel("2032-02-01 03:00 -05:00", tick=False):
        result = run_command(capsys, "purge", "--apply")
    assert result.code == 0, result.err
    assert (
        "complaints (anonymiser 5 ans après la réponse) : 2 anonymisé(s), "
        "1 sous conservation légale" in result.out
    )
    # Held: untouched, history included.
    assert personal(mine) == before
    assert "Quel jour, Mme Exemple ?" in ComplaintEvent.objects.filter(complaint=mine).values_list(
        "note", flat=True
    )
    # Due: the person is gone, the figures stay.
    assert personal(theirs) == ("[anonymisé]", None, "[anonymisé]", "", "[anonymisé]", None)
    assert (theirs.kind, theirs.subject, theirs.outcome, str(theirs.answered_on)) == (
        Kind.COMPLAINT,
        Subject.DELAYS,
        Outcome.UNFOUNDED,
        "2027-02-01",
    )
    assert personal(comment)[2:4] == ("[anonymisé]", "")
    # Never answered: never due.
    assert personal(open_one)[3] == "ouverte@example.org"
    # The Commissaire (staff) stays as who acted; the client who filed it does not.
    assert list(
        ComplaintEvent.objects.filter(complaint=theirs)
        .order_by("pk")
        .values_list("kind", "actor_id")
    ) == [("received", None), ("acknowledged", commissaire.pk), ("answered", commissaire.pk)]
    entries = AccessLog.objects.filter(
        subject_kind=SubjectKind.COMPLAINT, action=AccessAction.ANONYMIZE
    )
    assert sorted((e.subject_id, e.person_id, e.actor_label) for e in entries) == sorted(
        [
            (theirs.pk, None, "guichet purge"),
            (comment.pk, None, "guichet purge"),
        ]
    )
    # The hold lifted, the next purge does it; a second run finds nothing.
    legal_hold_lift(hold=hold, actor=officer)
    with time_machine.travel("2032-02-02 03:00 -05:00", tick=False):
        run_command(capsys, "purge", "--apply")
        again = run_command(capsys, "purge")
    assert personal(mine) == ("[anonymisé]", None, "[anonymisé]", "", "[anonymisé]", None)
    notes = set(ComplaintEvent.objects.filter(complaint=mine).values_list("note", flat=True))
    assert notes == {"", "[anonymisé]"}
    assert "complaints (anonymiser 5 ans après la réponse) : 0 à anonymiser" in again.out
    entry = AccessLog.objects.get(
        subject_kind=SubjectKind.COMPLAINT, subject_id=mine.pk, action=AccessAction.ANONYMIZE
    )
    # Sealed: the entry names neither the person nor the dossier.
    assert (entry.person_id, entry.subject_number) == (None, "")


def test_a_hold_on_a_person_spares_their_complaints(
    capsys: pytest.CaptureFixture[str], personas: Personas, officer: User, world: dict[str, Any]
) -> None:
    legal_hold_place(actor=officer, person=personas.other_client, reason="Demande d'accès.")
    with time_machine.travel("2032-02-01 03:00 -05:00", tick=False):
        run_command(capsys, "purge", "--apply")
    assert personal(world["theirs"])[0] == "Trop long."


def test_invitations_are_destroyed_and_answers_stay(
    capsys: pytest.CaptureFixture[str], personas: Personas, world: dict[str, Any]
) -> None:
    invitation = world["invitation"]
    Response.objects.create(
        source=Source.MEETING_HELD,
        service_code="caq-etudiant",
        submitted_on=invitation.sent_on,
        courtesy=1,
        clear_language=1,
        complete_information=1,
        decision_explained=1,
        appointment_time=0,
        right_referral=0,
        overall=1,
    )
    with time_machine.travel("2028-02-01 03:00 -05:00", tick=False):
        result = run_command(capsys, "purge", "--apply")
    assert (
        "survey_invitations (détruire 1 an après l'envoi) : 1 détruit(s), "
        "0 sous conservation légale" in result.out
    )
    assert f"  invitation n° {invitation.pk}" in result.out
    assert Invitation.objects.count() == 0
    assert Response.objects.count() == 1
    entry = AccessLog.objects.get(subject_kind=SubjectKind.SURVEY_INVITATION)
    assert (entry.action, entry.subject_id, entry.person_id) == (
        AccessAction.DESTROY,
        invitation.pk,
        personas.owner.pk,
    )


def test_referrals_are_anonymized_unless_held(
    capsys: pytest.CaptureFixture[str], personas: Personas, officer: User, world: dict[str, Any]
) -> None:
    referral = world["referral"]
    hold = legal_hold_place(actor=officer, person=personas.owner, reason="Litige.")
    with time_machine.travel("2029-02-01 03:00 -05:00", tick=False):
        held = run_command(capsys, "purge", "--apply")
        assert (
            "referrals (anonymiser 2 ans après l'orientation) : 0 anonymisé(s), "
            "1 sous conservation légale" in held.out
        )
        referral.refresh_from_db()
        assert referral.person_email == "proprietaire@example.org"
        legal_hold_lift(hold=hold, actor=officer)
        run_command(capsys, "purge", "--apply")
    referral.refresh_from_db()
    assert (
        referral.person_id,
        referral.person_email,
        referral.dossier_number,
        referral.reason,
        referral.need,
        referral.region,
        str(referral.referred_on),
    ) == (None, "", "", "[anonymisé]", "french", "05", "2027-02-01")
    entry = AccessLog.objects.get(subject_kind=SubjectKind.REFERRAL)
    assert (entry.action, entry.subject_id, entry.person_id, entry.subject_number) == (
        AccessAction.ANONYMIZE,
        referral.pk,
        personas.owner.pk,
        world["dossier"].number,
    )
    assert Referral.objects.count() == 1
