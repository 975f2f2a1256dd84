"""The retention schedule anonymizes answered voice messages and enquiries (their dates stay
for the results), and a person's export lists their enquiries."""

import os
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile

from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.contact.models import (
    Enquiry,
    EnquiryAttachment,
    EnquiryClock,
    EnquiryMessage,
    VoiceMessage,
)
from guichet.contact.personal_data import section
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def make(answered: str, n: int, email: str = "client@example.org") -> tuple[VoiceMessage, Enquiry]:
    voice = VoiceMessage(
        source_key=f"k{n}",
        mailbox="1000",
        received_at=f"{answered}T09:00:00-05:00",
        received_on=D(answered),
        due_on=D(answered),
        answered_on=D(answered),
        answered_at=f"{answered}T10:00:00-05:00",
        callerid="5145550100",
        transcript="Rappelez-moi",
        answer_note="Rappelé",
    )
    voice.audio.save(f"v{n}.wav", ContentFile(b"RIFF"), save=False)
    voice.save()
    enquiry = Enquiry.objects.create(
        subject="Mon CAQ",
        correspondent=email,
        correspondent_name="Dominique",
        received_at=f"{answered}T09:00:00-05:00",
        open=False,
    )
    EnquiryClock.objects.create(
        enquiry=enquiry, received_on=D(answered), due_on=D(answered), answered_on=D(answered)
    )
    message = EnquiryMessage.objects.create(
        enquiry=enquiry,
        direction="in",
        message_id=f"<m{n}@x>",
        sender="Dominique <client@example.org>",
        subject="Mon CAQ",
        body="Mon passeport",
        at=f"{answered}T09:00:00-05:00",
    )
    attachment = EnquiryAttachment(
        message=message, name="passeport.pdf", content_type="application/pdf", size=4
    )
    attachment.file.save(f"a{n}.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    return voice, enquiry


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_the_purge_anonymizes_what_is_due(
    personas: Personas, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    old_voice, old_enquiry = make("2024-11-01", 1)
    new_voice, new_enquiry = make("2025-06-01", 2)
    audio = old_voice.audio.path
    with django_capture_on_commit_callbacks(execute=True):
        result = run_command(capsys, "purge", "--apply")
    assert result.code == 0
    assert "voice_messages (anonymiser 2 ans après le rappel) : 1 anonymisé(s)" in result.out
    old_voice.refresh_from_db()
    assert (
        old_voice.callerid,
        old_voice.transcript,
        old_voice.answer_note,
        old_voice.audio.name,
    ) == ("[anonymisé]", "", "", "")
    assert (str(old_voice.received_on), str(old_voice.answered_on)) == ("2024-11-01", "2024-11-01")
    assert not os.path.exists(audio)
    old_enquiry.refresh_from_db()
    assert (old_enquiry.correspondent_name, old_enquiry.subject, old_enquiry.correspondent) == (
        "[anonymisé]",
        "",
        "anonymise@invalid",
    )
    message = EnquiryMessage.objects.get(enquiry=old_enquiry)
    assert (message.body, message.subject, message.sender) == ("", "", "[anonymisé]")
    assert not EnquiryAttachment.objects.filter(message__enquiry=old_enquiry).exists()
    assert EnquiryClock.objects.filter(enquiry=old_enquiry).count() == 1
    # Within their period: untouched.
    new_voice.refresh_from_db()
    assert new_voice.callerid == "5145550100"
    assert EnquiryAttachment.objects.filter(message__enquiry=new_enquiry).count() == 1
    logged = set(
        AccessLog.objects.filter(action=AccessAction.ANONYMIZE).values_list(
            "subject_kind", "subject_id"
        )
    )
    assert logged == {
        (SubjectKind.VOICE_MESSAGE.value, old_voice.pk),
        (SubjectKind.ENQUIRY.value, old_enquiry.pk),
    }


def test_the_export_lists_the_persons_enquiries(personas: Personas) -> None:
    make("2025-06-01", 3, email=personas.owner.email.upper())
    make("2025-06-01", 4, email="someone@else.org")
    exported: dict[str, Any] = section(personas.owner)
    [enquiry] = exported["demandes"]
    assert enquiry["objet"] == "Mon CAQ"
    assert enquiry["messages"] == [
        {
            "de": "vous",
            "le": "2025-06-01T10:00:00-04:00",
            "objet": "Mon CAQ",
            "texte": "Mon passeport",
            "pièces_jointes": ["passeport.pdf"],
        }
    ]


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_a_legal_hold_on_the_person_keeps_their_enquiries(
    personas: Personas, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    from guichet.accounts.models import GlobalRole, RoleGrant, User
    from guichet.privacy.services import legal_hold_place

    officer = User.objects.create_user("rprp@example.org", full_name="Pat Protection")
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    _voice, theirs = make("2024-11-01", 5, email=personas.owner.email.upper())
    _voice, other = make("2024-11-01", 6, email="someone@else.org")
    legal_hold_place(actor=officer, reason="Recours en cours", person=personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_command(capsys, "purge", "--apply").code == 0
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.correspondent_name == "Dominique"  # kept: the hold names their address
    assert other.correspondent_name == "[anonymisé]"
    assert VoiceMessage.objects.filter(callerid="[anonymisé]").count() == 2  # no one to hold
