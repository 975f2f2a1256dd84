"""Voice mail: Asterisk's store imported once, each message with its clock (R = the local date
it was left, 1 business day), listened to, transcribed and called back; staff only."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guichet.audit.models import AccessLog, SubjectKind
from guichet.contact.models import ContactEvent, VoiceMessage
from guichet.reports.tests.builders import client_for
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/Toronto")
NOW = "2026-12-04 10:00 -05:00"
WAV = (
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00"
    b"\x80>\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
)


def left(folder: Path, name: str, local: str, callerid: str = '"Dominique" <5145550100>') -> None:
    origtime = int(datetime.fromisoformat(local).replace(tzinfo=TZ).timestamp())
    (folder / f"{name}.txt").write_text(
        ";\n; Message Information file\n;\n[message]\norigmailbox=1000\ncontext=default\n"
        f"callerid={callerid}\norigdate=x\norigtime={origtime}\ncategory=\nduration=17\n"
    )
    (folder / f"{name}.wav").write_bytes(WAV)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    inbox = tmp_path / "default" / "1000" / "INBOX"
    inbox.mkdir(parents=True)
    left(inbox, "msg0000", "2026-11-28 11:00")  # a Saturday
    left(inbox, "msg0001", "2026-12-01 20:00")  # a Tuesday evening
    left(inbox, "msg0002", "2026-12-24 09:00")  # a closure day (Thursday)
    (inbox / "msg0003.txt").write_text("[message]\ncallerid=x\n")
    return tmp_path


@time_machine.travel(NOW, tick=False)
def test_import_once_with_the_clock(
    personas: Personas, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_command(capsys, "voicemail", "import", str(store))
    assert run.out.strip() == '{"created": 3, "known": 0, "unreadable": 1}'
    assert (
        run.err.strip() == "default/1000/INBOX/msg0003.txt : ignoré : origtime absent ou illisible"
    )
    dues = list(VoiceMessage.objects.order_by("received_at").values_list("received_on", "due_on"))
    assert [(str(r), str(d)) for r, d in dues] == [
        ("2026-11-28", "2026-11-30"),  # Saturday -> Monday
        ("2026-12-01", "2026-12-02"),  # Tuesday 20:00 -> Wednesday
        ("2026-12-24", "2026-12-29"),  # closed Dec 24, 25 and 28 (26th on a Saturday)
    ]
    first = VoiceMessage.objects.order_by("received_at").first()
    assert first is not None and (
        first.mailbox,
        first.callerid,
        first.duration_s,
        first.audio_type,
    ) == ("1000", '"Dominique" <5145550100>', 17, "audio/wav")
    run = run_command(capsys, "voicemail", "import", str(store))
    assert run.out.strip() == '{"created": 0, "known": 3, "unreadable": 1}'
    assert VoiceMessage.objects.count() == 3


@time_machine.travel(NOW, tick=False)
def test_listen_transcribe_and_call_back(
    personas: Personas, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_command(capsys, "voicemail", "import", str(store))
    message = VoiceMessage.objects.order_by("received_at").first()
    assert message is not None
    agent = client_for(personas.agent)
    worklist = agent.get("/bureau/contact/").content.decode()
    # By due date: the Saturday's message first.
    assert worklist.index(f"messages-vocaux/{message.pk}/") < worklist.index("2026-12-29")
    page = agent.get(f"/bureau/contact/messages-vocaux/{message.pk}/").content.decode()
    src = f"/bureau/contact/messages-vocaux/{message.pk}/audio"
    assert f'<audio controls preload="none" aria-labelledby="listen" src="{src}">' in page
    audio = agent.get(f"/bureau/contact/messages-vocaux/{message.pk}/audio")
    assert (audio.status_code, audio["Content-Type"], audio.getvalue()) == (
        200,
        "audio/wav",
        WAV,
    )
    agent.post(
        f"/bureau/contact/messages-vocaux/{message.pk}/transcription",
        {"transcript": "Rappelez-moi au sujet de mon CAQ."},
    )
    response = agent.post(
        f"/bureau/contact/messages-vocaux/{message.pk}/rappel",
        {"note": "Rappelée ; délai expliqué."},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.transcript, str(message.answered_on), message.answered_by) == (
        "Rappelez-moi au sujet de mon CAQ.",
        "2026-12-04",
        personas.agent,
    )
    again = agent.post(f"/bureau/contact/messages-vocaux/{message.pk}/rappel", {"note": "encore"})
    assert again.status_code == 400 and "déjà reçu son rappel" in again.content.decode()
    kinds = list(
        ContactEvent.objects.filter(item_id=message.pk, channel="voice_mail")
        .values_list("kind", flat=True)
        .order_by("pk")
    )
    assert kinds == ["received", "transcribed", "called_back"]
    reads = AccessLog.objects.filter(
        subject_kind=SubjectKind.VOICE_MESSAGE, subject_id=message.pk
    ).count()
    assert reads == 5  # page, audio, transcript, call back, refused call back


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["owner", "other_client"])
def test_clients_get_nothing(
    personas: Personas, store: Path, capsys: pytest.CaptureFixture[str], who: str
) -> None:
    run_command(capsys, "voicemail", "import", str(store))
    message = VoiceMessage.objects.order_by("received_at").first()
    assert message is not None
    browser = client_for(getattr(personas, who))
    logged = AccessLog.objects.count()
    for url in ("", "audio"):
        assert browser.get(f"/bureau/contact/messages-vocaux/{message.pk}/{url}").status_code == 404
    assert (
        browser.post(
            f"/bureau/contact/messages-vocaux/{message.pk}/rappel", {"note": "x"}
        ).status_code
        == 404
    )
    assert (
        browser.post(
            f"/bureau/contact/messages-vocaux/{message.pk}/transcription", {"transcript": "x"}
        ).status_code
        == 404
    )
    message.refresh_from_db()
    assert (message.answered_at, message.transcript, AccessLog.objects.count()) == (
        None,
        "",
        logged,
    )
