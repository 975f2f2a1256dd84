"""E-mail enquiries: a real IMAP server (dovecot) to read from, a real SMTP server (aiosmtpd)
receiving the acknowledgments and answers, the clock of each enquiry, threading, attachments,
and who may do what."""

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
import time_machine

from guichet.audit.models import AccessLog, SubjectKind
from guichet.contact.models import (
    Enquiry,
    EnquiryAttachment,
    EnquiryClock,
    EnquiryMessage,
    ReplyTemplate,
)
from guichet.contact.services import enquiry_receive
from guichet.contact.tests.servers import PASSWORD, USER, Imap, Smtp
from guichet.reports.tests.builders import client_for
from guichet.testing import Personas, make_dossier, pdf_bytes, run_command

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 10:00 -05:00"


def mail(
    *,
    subject: str = "Question sur le CAQ",
    date: str = "Tue, 01 Dec 2026 20:00:00 -0500",
    reply_to: str = "",
    references: str = "",
    attach: bool = False,
    sender: str = "Dominique Exemple <dominique@example.org>",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "renseignements@guichet.example"
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = make_msgid(domain="example.org")
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = references or reply_to
    msg.set_content("Bonjour,\nQuand aurai-je une réponse ?\n")
    if attach:
        msg.add_attachment(
            pdf_bytes(), maintype="application", subtype="pdf", filename="passeport.pdf"
        )
        msg.add_attachment(
            b"MZ\x90\x00 not a document",
            maintype="application",
            subtype="octet-stream",
            filename="outil.exe",
        )
    return msg


@pytest.fixture
def mailbox(imap_server: Imap, settings: Any) -> Imap:
    settings.GUICHET_IMAP_HOST, settings.GUICHET_IMAP_PORT = "127.0.0.1", imap_server.port
    settings.GUICHET_IMAP_SSL = False
    settings.GUICHET_IMAP_USER, settings.GUICHET_IMAP_PASSWORD = USER, PASSWORD
    settings.GUICHET_IMAP_FOLDER = "INBOX"
    return imap_server


@time_machine.travel(NOW, tick=False)
def test_the_mailbox_is_read_once_and_acknowledged(
    personas: Personas,
    mailbox: Imap,
    smtp_server: Smtp,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = mail(attach=True)
    mailbox.append(first.as_bytes())
    run = run_command(capsys, "email", "fetch")
    assert (run.code, run.out.strip()) == (0, '{"read": 1, "new": 1}')
    enquiry = Enquiry.objects.get()
    assert (enquiry.correspondent, enquiry.correspondent_name, enquiry.open) == (
        "dominique@example.org",
        "Dominique Exemple",
        True,
    )
    # Arrived on Tuesday at 20:00: R = Tuesday 2026-12-01, due 5 business days later.
    clock = EnquiryClock.objects.get()
    assert (str(clock.received_on), str(clock.due_on), clock.answered_at) == (
        "2026-12-01",
        "2026-12-08",
        None,
    )
    [ack] = smtp_server.received
    assert ack["In-Reply-To"] == first["Message-ID"]
    assert ack["References"] == first["Message-ID"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["To"] == "dominique@example.org"
    assert "au plus tard le 08/12/2026" in ack.get_content()
    attachments = {a.name: a for a in EnquiryAttachment.objects.all()}
    assert (
        attachments["passeport.pdf"].content_type == "application/pdf"
        and attachments["passeport.pdf"].refused == ""
    )
    assert attachments["outil.exe"].refused != "" and not attachments["outil.exe"].file
    # Read again: nothing new, nothing sent again.
    run = run_command(capsys, "email", "fetch")
    assert run.out.strip() == '{"read": 0, "new": 0}'
    assert (Enquiry.objects.count(), len(smtp_server.received)) == (1, 1)


@time_machine.travel(NOW, tick=False)
def test_a_reply_joins_its_thread_and_the_answer_stops_the_clock(
    personas: Personas, smtp_server: Smtp
) -> None:
    first = mail()
    enquiry = enquiry_receive(raw=first.as_bytes()).enquiry
    [ack] = smtp_server.received
    # The client answers the acknowledgment, adding a detail: same enquiry, same clock.
    follow = mail(
        subject="RE : Question sur le CAQ",
        date="Wed, 02 Dec 2026 09:00:00 -0500",
        reply_to=ack["Message-ID"],
        references=f"{first['Message-ID']} {ack['Message-ID']}",
    )
    joined = enquiry_receive(raw=follow.as_bytes())
    assert (joined.enquiry.pk, joined.opened) == (enquiry.pk, False)
    assert EnquiryClock.objects.count() == 1 and len(smtp_server.received) == 1
    ReplyTemplate.objects.create(
        name="Délais CAQ", body="Bonjour,\nLe délai de traitement est de 20 jours ouvrables."
    )
    agent = client_for(personas.agent)
    page = agent.get(
        f"/bureau/contact/courriels/{enquiry.pk}/", {"modele": ReplyTemplate.objects.get().pk}
    )
    assert page.status_code == 200
    assert "Le délai de traitement est de 20 jours ouvrables." in page.content.decode()
    response = agent.post(
        f"/bureau/contact/courriels/{enquiry.pk}/repondre",
        {"body": "Bonjour,\nVotre demande est en traitement."},
    )
    assert response.status_code == 302
    answer = smtp_server.received[-1]
    assert answer["In-Reply-To"] == follow["Message-ID"]
    assert answer["References"].split() == [
        first["Message-ID"],
        ack["Message-ID"],
        follow["Message-ID"],
    ]
    assert answer["Subject"] == "RE : Question sur le CAQ"
    sent = EnquiryMessage.objects.get(message_id=answer["Message-ID"])
    assert (sent.author, sent.direction) == (personas.agent, "out")
    clock = EnquiryClock.objects.get()
    assert (str(clock.answered_on), Enquiry.objects.get().open) == ("2026-12-04", False)
    # A new message in the thread after the answer reopens it with a clock of its own.
    again = mail(
        subject="RE : RE : Question",
        date="Fri, 04 Dec 2026 09:30:00 -0500",
        reply_to=answer["Message-ID"],
    )
    assert enquiry_receive(raw=again.as_bytes()).opened is True
    assert list(EnquiryClock.objects.order_by("pk").values_list("received_on", "answered_on")) == [
        (clock.received_on, clock.answered_on),
        (clock.answered_on, None),
    ]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["owner", "other_client"])
def test_clients_can_neither_read_nor_answer(
    personas: Personas, smtp_server: Smtp, who: str
) -> None:
    enquiry = enquiry_receive(raw=mail().as_bytes()).enquiry
    browser = client_for(getattr(personas, who))
    logged = AccessLog.objects.count()
    assert browser.get(f"/bureau/contact/courriels/{enquiry.pk}/").status_code == 404
    assert (
        browser.post(f"/bureau/contact/courriels/{enquiry.pk}/repondre", {"body": "x"}).status_code
        == 404
    )
    assert browser.get("/bureau/contact/").status_code == 404
    assert (
        len(smtp_server.received),
        EnquiryMessage.objects.count(),
        Enquiry.objects.get().open,
    ) == (1, 2, True)
    assert AccessLog.objects.count() == logged


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["agent", "other_agent", "supervisor"])
def test_staff_read_with_the_access_log(personas: Personas, smtp_server: Smtp, who: str) -> None:
    enquiry = enquiry_receive(raw=mail().as_bytes()).enquiry
    user = getattr(personas, who)
    response = client_for(user).get(f"/bureau/contact/courriels/{enquiry.pk}/")
    assert response.status_code == 200
    entry = AccessLog.objects.filter(subject_kind=SubjectKind.ENQUIRY).get()
    assert (entry.actor, entry.subject_id) == (user, enquiry.pk)
    worklist = client_for(user).get("/bureau/contact/").content.decode()
    assert f"/bureau/contact/courriels/{enquiry.pk}/" in worklist and "2026-12-08" in worklist


@time_machine.travel(NOW, tick=False)
def test_link_to_a_dossier_follows_the_dossiers_access_rules(
    personas: Personas, smtp_server: Smtp
) -> None:
    enquiry = enquiry_receive(raw=mail().as_bytes()).enquiry
    dossier = make_dossier(personas)  # a CAQ dossier: the caq unit's
    # An agent of another unit cannot link it (nor learn that it exists).
    response = client_for(personas.other_agent).post(
        f"/bureau/contact/courriels/{enquiry.pk}/dossier", {"number": dossier.number}
    )
    assert response.status_code == 400
    assert "Aucun dossier de vos unités" in response.content.decode()
    assert Enquiry.objects.get().dossier is None
    response = client_for(personas.agent).post(
        f"/bureau/contact/courriels/{enquiry.pk}/dossier", {"number": dossier.number}
    )
    assert response.status_code == 302
    assert Enquiry.objects.get().dossier == dossier
    # The other unit's agent sees that it is linked, not which dossier.
    page = (
        client_for(personas.other_agent)
        .get(f"/bureau/contact/courriels/{enquiry.pk}/")
        .content.decode()
    )
    assert dossier.number not in page


@time_machine.travel(NOW, tick=False)
def test_an_uploaded_eml(personas: Personas, smtp_server: Smtp) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = mail().as_bytes()
    browser = client_for(personas.agent)
    response = browser.post(
        "/bureau/contact/courriels/importer",
        {"eml": SimpleUploadedFile("q.eml", raw, "message/rfc822")},
    )
    enquiry = Enquiry.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/bureau/contact/courriels/{enquiry.pk}/"
    )
    browser.post(
        "/bureau/contact/courriels/importer",
        {"eml": SimpleUploadedFile("q.eml", raw, "message/rfc822")},
    )
    assert (Enquiry.objects.count(), len(smtp_server.received)) == (1, 1)
    response = browser.post(
        "/bureau/contact/courriels/importer",
        {"eml": SimpleUploadedFile("x.eml", b"\x00\x01binary", "message/rfc822")},
    )
    assert response.status_code == 400 and Enquiry.objects.count() == 1
