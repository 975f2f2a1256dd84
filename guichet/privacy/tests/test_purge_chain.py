"""The purge removes old access-log rows and leaves the chain verifiable (guichet/audit/chain.py):
its checkpoint lists the runs it removed, held rows stay, and a later purge chains on."""

import json

import pytest
import time_machine

from guichet.accounts.models import User
from guichet.audit.models import AccessLog
from guichet.audit.tests.test_chain import record, verify
from guichet.privacy.services import legal_hold_lift, legal_hold_place
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db


def test_the_purge_keeps_the_chain_verifiable(
    capsys: pytest.CaptureFixture[str], officer: User, personas: Personas
) -> None:
    client_user = personas.owner
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        old = [record("2026-000001"), record("2026-000002")]
        held = record("2026-000003", person=client_user)
        old += [record("2026-000004"), record("2026-000005")]
    with time_machine.travel("2027-06-01 10:00 -04:00", tick=False):
        legal_hold_place(actor=officer, person=client_user, reason="Litige.")
        recent = record("2027-000001")
    with time_machine.travel("2037-01-01 10:00 -05:00", tick=False):
        assert run_command(capsys, "purge", "--apply").code == 0
    remaining = set(AccessLog.objects.values_list("id", flat=True))
    assert not remaining & {r.pk for r in old}
    assert {held.pk, recent.pk} <= remaining
    checkpoint = AccessLog.objects.exclude(checkpoint="").get()
    runs = json.loads(checkpoint.checkpoint)["removed"]
    # Two runs in lane 0, on either side of the held row; [lane, first, last, count, ...].
    assert [run[:4] for run in runs] == [
        [0, old[0].pk, old[1].pk, 2],
        [0, old[2].pk, old[3].pk, 2],
    ]
    result = verify(capsys)
    assert result.code == 0, result.out
    assert result.out.splitlines()[0].endswith("vérifiée(s), 4 retirée(s) par la purge.")

    # The hold lifted, a later purge removes the held row too, and its checkpoint chains on.
    with time_machine.travel("2037-02-01 10:00 -05:00", tick=False):
        hold = client_user.legal_holds.get()
        legal_hold_lift(actor=officer, hold=hold)
        assert run_command(capsys, "purge", "--apply").code == 0
    assert not AccessLog.objects.filter(pk=held.pk).exists()
    assert AccessLog.objects.exclude(checkpoint="").count() == 2
    result = verify(capsys)
    assert result.code == 0, result.out
    assert "5 retirée(s) par la purge" in result.out.splitlines()[0]
