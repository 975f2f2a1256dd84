"""The demo consultant: `consultant@example.org` signs in with the published password and holds
mandates on two of the demo client's dossiers."""

import pytest
import time_machine
from django.test import Client

from guichet.demo.people import CONSULTANT, DEMO_PASSWORD
from guichet.dossiers.models import Decision, DossierState, EventKind
from guichet.mandates.models import Mandate
from guichet.testing import run_command

pytestmark = pytest.mark.django_db


def test_the_demo_consultant(capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel("2026-11-16 10:00 -05:00", tick=False):
        run = run_command(capsys, "demo", "--dossiers", "0")
        assert run.code == 0
        assert "consultant@example.org" in run.out
        mandates = list(Mandate.objects.select_related("dossier", "consultant__user"))
        assert sorted((m.dossier.state, m.dossier.decision) for m in mandates) == [
            (DossierState.DECIDED, Decision.REFUSED),
            (DossierState.INCOMPLETE, ""),
        ]
        assert {m.consultant.user.email for m in mandates if m.consultant.user} == {
            CONSULTANT.email
        }
        for m in mandates:
            assert m.dossier.events.filter(kind=EventKind.MANDATE_GRANTED).count() == 1
        client = Client()
        assert client.login(username=CONSULTANT.email, password=DEMO_PASSWORD)
        page = client.get("/mandats/").content.decode()
        for m in mandates:
            assert f'href="/dossiers/{m.dossier.number}/"' in page
            assert client.get(f"/dossiers/{m.dossier.number}/").status_code == 200
