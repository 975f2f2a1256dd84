"""The contact centre's demo: a year of calls, voice mails and e-mails, so that the three
commitments have results in the current fiscal year.

- Calls: a real Asterisk queue_log (about 60 calls a business day, their agents logging in and
  out, a few calls outside office hours), written to a temporary file and read by the real
  import (`queue_log_import`).
- Voice messages and e-mail enquiries of the past year, already answered, written with
  `bulk_create` as the bulk of the dossiers is (the services would date every answer today and
  send every e-mail again); the last few days' ones are left open for the worklist, one of each
  through the real services (the voice message with a recording, the e-mail acknowledged).
- Three reply templates.

Synthetic people only: callers' numbers in 555-01xx, addresses at example.org.
"""

from __future__ import annotations

import math
import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from django.utils import timezone

from guichet.clock.calendar import BusinessCalendar
from guichet.contact.models import (
    Direction,
    Enquiry,
    EnquiryClock,
    EnquiryMessage,
    ReplyTemplate,
    VoiceMessage,
)
from guichet.contact.queuelog import queue_log_import
from guichet.contact.services import (
    EMAIL_DAYS,
    VOICE_MAIL_DAYS,
    enquiry_receive,
    voicemail_import,
)

DAYS = 365
QUEUE = "renseignements"
TEMPLATES = {
    "Accusé de délai — CAQ": (
        "Bonjour,\n\nVotre demande de certificat d'acceptation est en traitement. Le délai "
        "publié est de 20 jours ouvrables à compter de la réception de votre demande complète.\n\n"
        "Veuillez agréer nos salutations distinguées."
    ),
    "Documents à joindre": (
        "Bonjour,\n\nLa liste des documents à joindre se trouve sur la page du service, dans "
        "Guichet. Vous pouvez les déposer en ligne dans votre dossier.\n\nCordialement."
    ),
    "Réorientation": (
        "Bonjour,\n\nVotre question relève d'un autre organisme, mieux placé pour y répondre. "
        "Nous vous invitons à communiquer avec lui.\n\nCordialement."
    ),
}
TOPICS = (
    "Délai de traitement de ma demande",
    "Documents à fournir",
    "Changement d'adresse",
    "Cours de français",
    "Rendez-vous",
)


@dataclass(frozen=True)
class ContactDemo:
    calls: int
    voice_messages: int
    enquiries: int


def _epoch(day: date, seconds: float) -> int:
    moment = timezone.make_aware(datetime.combine(day, time.min)) + timedelta(seconds=seconds)
    return int(moment.timestamp())


def _queue_log(rng: random.Random, days: list[date], today: date) -> list[str]:
    lines: list[str] = []
    n = 0
    for day in days:
        opens = 10.5 if day.weekday() == 2 else 8.0
        agents = [f"PJSIP/agent{k:02d}" for k in range(1, 7 if day.weekday() != 4 else 6)]
        events: list[tuple[int, str]] = []
        for agent in agents:
            events.append((_epoch(day, opens * 3600 - 300), f"NONE|{QUEUE}|{agent}|ADDMEMBER|"))
            events.append((_epoch(day, 16.5 * 3600 + 120), f"NONE|{QUEUE}|{agent}|REMOVEMEMBER|"))
        start, end = opens * 3600, 16.5 * 3600
        # A morning peak: more calls, longer waits, between 9:30 and 11:30.
        slots = int((end - start) // 1800)
        for slot in range(-2, slots + 2):
            base = start + slot * 1800
            peak = 1.0 if 5400 <= base - 8 * 3600 <= 12600 else 0.0
            count = max(0, int(rng.gauss(4 + 3 * peak, 1.5)))
            for _ in range(count):
                n += 1
                at = _epoch(day, base + rng.uniform(0, 1800))
                callid = f"{at}.{n}"
                events.append((at, f"{callid}|{QUEUE}|NONE|ENTERQUEUE||514555{n % 100:04d}|1"))
                wait = int(rng.expovariate(1 / (70 + 90 * peak)))
                kind = rng.random()
                agent = rng.choice(agents)
                if kind < 0.86:
                    talk = 60 + int(rng.expovariate(1 / 200))
                    events.append(
                        (at + wait, f"{callid}|{QUEUE}|{agent}|CONNECT|{wait}|{callid}|2")
                    )
                    events.append(
                        (
                            at + wait + talk,
                            f"{callid}|{QUEUE}|{agent}|COMPLETECALLER|{wait}|{talk}|1",
                        )
                    )
                elif kind < 0.96:
                    events.append((at + wait, f"{callid}|{QUEUE}|NONE|ABANDON|1|1|{wait}"))
                else:
                    wait = max(wait, 60)
                    events.append((at + wait, f"{callid}|{QUEUE}|NONE|EXITWITHKEY|5|1|1|{wait}"))
        events.sort()
        lines += [f"{at}|{rest}" for at, rest in events]
    return lines


def _answered_on(
    rng: random.Random, cal: BusinessCalendar, received: date, days: int, today: date
) -> date:
    """Mostly within the commitment (a voice message sometimes the same day), sometimes one or
    two business days late; never after today."""
    if days == 1 and cal.is_business_day(received) and rng.random() < 0.3:
        return received
    taken = days + rng.randint(1, 2) if rng.random() < 0.12 else rng.randint(1, days)
    return min(today, cal.business_day(cal.ordinal(received) + taken))


def _voice_messages(rng: random.Random, cal: BusinessCalendar, today: date) -> int:
    rows = []
    for offset in range(DAYS, 3, -1):
        day = today - timedelta(days=offset)
        for k in range(rng.randint(1, 4) if cal.is_business_day(day) else rng.randint(0, 2)):
            at = timezone.make_aware(
                datetime.combine(day, time(hour=rng.randint(7, 21), minute=rng.randint(0, 59)))
            )
            answered = _answered_on(rng, cal, day, VOICE_MAIL_DAYS, today)
            rows.append(
                VoiceMessage(
                    source_key=f"demo/1000/INBOX/{day.isoformat()}-{k}",
                    mailbox="1000",
                    received_at=at,
                    received_on=day,
                    due_on=cal.business_day(cal.ordinal(day) + VOICE_MAIL_DAYS),
                    callerid=f'"Appelant fictif" <514555{rng.randint(100, 199):04d}>',
                    duration_s=rng.randint(8, 90),
                    answered_at=timezone.make_aware(datetime.combine(answered, time(hour=11))),
                    answered_on=answered,
                    answer_note="Rappel effectué (démonstration).",
                )
            )
    VoiceMessage.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _enquiries(rng: random.Random, cal: BusinessCalendar, today: date) -> int:
    made = 0
    for offset in range(DAYS, 7, -1):
        day = today - timedelta(days=offset)
        for _k in range(rng.randint(1, 3) if cal.is_business_day(day) else rng.randint(0, 1)):
            made += 1
            at = timezone.make_aware(
                datetime.combine(day, time(hour=rng.randint(6, 22), minute=rng.randint(0, 59)))
            )
            answered = _answered_on(rng, cal, day, EMAIL_DAYS, today)
            answered_at = timezone.make_aware(datetime.combine(answered, time(hour=14)))
            subject = rng.choice(TOPICS)
            address = f"correspondant{made % 150:03d}@example.org"
            enquiry = Enquiry.objects.create(
                subject=subject,
                correspondent=address,
                correspondent_name=f"Correspondant fictif {made % 150}",
                received_at=at,
                open=False,
            )
            EnquiryClock.objects.create(
                enquiry=enquiry,
                received_on=day,
                due_on=cal.business_day(cal.ordinal(day) + EMAIL_DAYS),
                answered_at=answered_at,
                answered_on=answered,
            )
            first = make_msgid(domain="example.org")
            EnquiryMessage.objects.bulk_create(
                [
                    EnquiryMessage(
                        enquiry=enquiry,
                        direction=Direction.IN,
                        message_id=first,
                        sender=f"Correspondant fictif <{address}>",
                        recipients="renseignements@guichet.example",
                        subject=subject,
                        body="Bonjour, j'aimerais un renseignement. (Message de démonstration.)",
                        at=at,
                    ),
                    EnquiryMessage(
                        enquiry=enquiry,
                        direction=Direction.OUT,
                        message_id=make_msgid(domain="guichet.example"),
                        in_reply_to=first,
                        references=first,
                        sender="renseignements@guichet.example",
                        recipients=address,
                        subject=f"RE : {subject}",
                        body=TEMPLATES["Documents à joindre"],
                        at=answered_at,
                    ),
                ]
            )
    return made


def _recent(rng: random.Random, today: date) -> None:
    """One voice message with a recording and one e-mail, through the real imports."""
    with tempfile.TemporaryDirectory(prefix="guichet-demo-voicemail-") as folder:
        inbox = Path(folder) / "1000" / "INBOX"
        inbox.mkdir(parents=True)
        left = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(18, 40)))
        (inbox / "msg0000.txt").write_text(
            '[message]\norigmailbox=1000\ncallerid="Appelant fictif" <5145550142>\n'
            f"origtime={int(left.timestamp())}\nduration=4\n"
        )
        (inbox / "msg0000.wav").write_bytes(_tone_wav())
        voicemail_import(root=Path(folder))
    msg = EmailMessage()
    msg["From"] = "Client fictif <client.courriel@example.org>"
    msg["To"] = "renseignements@guichet.example"
    msg["Subject"] = "Question sur les cours de français"
    msg["Date"] = format_datetime(timezone.now() - timedelta(hours=20))
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content("Bonjour,\nQuand commence la prochaine session de cours ?\nMerci.")
    enquiry_receive(raw=msg.as_bytes())
    del rng


def _tone_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short 440 Hz tone, 8-bit mono WAV: something the audio element can play."""
    frames = bytes(
        int(128 + 60 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))
    )
    header = (
        b"RIFF"
        + (36 + len(frames)).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + (1).to_bytes(2, "little")
        + rate.to_bytes(4, "little")
        + rate.to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + (8).to_bytes(2, "little")
        + b"data"
        + len(frames).to_bytes(4, "little")
    )
    return header + frames


def contact_demo(*, rng: random.Random, cal: BusinessCalendar, today: date) -> ContactDemo:
    for name, body in TEMPLATES.items():
        ReplyTemplate.objects.get_or_create(name=name, defaults={"body": body})
    days = [today - timedelta(days=d) for d in range(DAYS, 0, -1)]
    with tempfile.TemporaryDirectory(prefix="guichet-demo-queue-log-") as folder:
        path = Path(folder) / "queue_log"
        path.write_text(
            "\n".join(_queue_log(rng, [d for d in days if d.weekday() < 5], today)) + "\n"
        )
        result = queue_log_import(path=path)
    voice = _voice_messages(rng, cal, today)
    mails = _enquiries(rng, cal, today)
    _recent(rng, today)
    return ContactDemo(result.calls, voice + 1, mails + 1)
