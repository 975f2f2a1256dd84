"""The demo's year of calls, voice mails and e-mails: the three commitments of the contact
centre have results in the current fiscal year (today 2026-12-04: 2026-2027)."""

import json

import pytest
import time_machine

from guichet.contact.models import Call, Enquiry, EnquiryClock, VoiceMessage
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.testing import run_command

pytestmark = pytest.mark.django_db
CODES = (
    "renseignements-telephone-reponse",
    "boite-vocale-reponse",
    "renseignements-courriel-reponse",
)


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_a_year_of_contact_centre_results(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(capsys, "demo", "--dossiers", "0")
    assert run.code == 0, run.err
    assert "Centre de contact :" in run.out
    report = annual_report(FiscalYear(2026))
    rows = {r.code: r for r in report.commitments if r.code in CODES}
    assert set(rows) == set(CODES)
    for row in rows.values():
        assert row.measured and row.result.volume > 100, row.code
        assert 50 <= (row.result.tenths or 0) / 10 < 100, row.code
    stats = json.loads(
        run_command(
            capsys, "telephone", "stats", "--from", "2026-04-01", "--to", "2026-12-03", "--json"
        ).out
    )
    assert stats["offered"] > 5000 and 0.5 < stats["service_level"] < 1
    # The worklist has the recent ones: a voice message with its recording, an acknowledged e-mail.
    open_voice = VoiceMessage.objects.get(answered_at__isnull=True)
    assert open_voice.audio and open_voice.audio_type == "audio/wav"
    assert EnquiryClock.objects.filter(answered_at__isnull=True).count() == 1
    assert Call.objects.filter(day__isnull=True).count() == 0
    assert all(
        e.endswith("@example.org") for e in Enquiry.objects.values_list("correspondent", flat=True)
    )
