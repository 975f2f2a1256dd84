"""Who may use each page of the contact centre: members of a unit (agents, supervisors) answer
voice messages and e-mails; clients and visitors get nothing, and nothing changes."""

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guichet.audit.models import AccessLog
from guichet.contact.models import ContactEvent, Enquiry, EnquiryMessage, VoiceMessage
from guichet.contact.services import enquiry_receive
from guichet.contact.tests.servers import Smtp
from guichet.contact.tests.test_email import mail
from guichet.reports.tests.builders import client_for
from guichet.testing import Personas

pytestmark = pytest.mark.django_db


def pages(voice: int, enquiry: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", "/bureau/contact/", {}),
        ("get", f"/bureau/contact/messages-vocaux/{voice}/", {}),
        ("get", f"/bureau/contact/messages-vocaux/{voice}/audio", {}),
        ("post", f"/bureau/contact/messages-vocaux/{voice}/transcription", {"transcript": "x"}),
        ("post", f"/bureau/contact/messages-vocaux/{voice}/rappel", {"note": "x"}),
        ("get", f"/bureau/contact/courriels/{enquiry}/", {}),
        ("post", f"/bureau/contact/courriels/{enquiry}/repondre", {"body": "x"}),
        ("post", f"/bureau/contact/courriels/{enquiry}/dossier", {"number": "2026-000001"}),
        (
            "post",
            "/bureau/contact/courriels/importer",
            {"eml": SimpleUploadedFile("q.eml", mail().as_bytes())},
        ),
    ]


def state() -> tuple[Any, ...]:
    return (
        list(VoiceMessage.objects.values_list("transcript", "answered_at")),
        list(Enquiry.objects.values_list("open", "dossier_id")),
        EnquiryMessage.objects.count(),
        ContactEvent.objects.count(),
        AccessLog.objects.count(),
    )


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
@pytest.mark.parametrize("who", ["anonymous", "owner", "other_client"])
def test_clients_and_visitors_change_nothing(
    personas: Personas, smtp_server: Smtp, who: str
) -> None:
    voice = VoiceMessage.objects.create(
        source_key="k",
        mailbox="1000",
        received_at="2026-12-03T10:00:00-05:00",
        received_on="2026-12-03",
        due_on="2026-12-04",
        callerid="5145550100",
    )
    enquiry = enquiry_receive(raw=mail().as_bytes()).enquiry
    browser = Client() if who == "anonymous" else client_for(getattr(personas, who))
    before, sent = state(), len(smtp_server.received)  # after the log-in, which is logged
    for method, url, data in pages(voice.pk, enquiry.pk):
        response = getattr(browser, method)(url, data)
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == expected, (who, url)
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
    assert state() == before and len(smtp_server.received) == sent
