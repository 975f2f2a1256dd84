"""The three commitments of the contact centre in the annual report and the dashboard."""

from datetime import date
from pathlib import Path

import pytest
import time_machine

from guichet.catalogue.models import Commitment
from guichet.contact.models import EnquiryClock, VoiceMessage
from guichet.contact.queuelog import queue_log_import
from guichet.contact.tests.test_telephone import queue_log
from guichet.measures import stopped_between
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.reports.formats import document, html_context, render_html
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
D = date.fromisoformat


@pytest.fixture
def contact_data(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("\n".join(queue_log()) + "\n")
    queue_log_import(path=path)
    for received, answered in [("2026-11-27", "2026-11-30"), ("2026-11-27", "2026-12-01")]:
        VoiceMessage.objects.create(
            source_key=f"x/{received}/{answered}",
            mailbox="1000",
            received_at=f"{received}T12:00:00-05:00",
            received_on=D(received),
            due_on=D("2026-11-30"),
            answered_on=D(answered),
            answered_at=f"{answered}T12:00:00-05:00",
        )
    from guichet.contact.models import Enquiry

    enquiry = Enquiry.objects.create(
        correspondent="a@example.org", received_at="2026-11-20T10:00:00-05:00"
    )
    # Friday 2026-11-20 + 5 business days: due Friday 11-27; answered that day, then 11-30.
    for answered in ("2026-11-27", "2026-11-30"):
        EnquiryClock.objects.create(
            enquiry=enquiry,
            received_on=D("2026-11-20"),
            due_on=D("2026-11-27"),
            answered_on=D(answered),
        )


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_the_annual_report(contact_data: None) -> None:
    report = annual_report(FiscalYear(2026))
    rows = {r.code: r for r in report.commitments}
    phone = rows["renseignements-telephone-reponse"]
    # Offered in office hours 12, less 1 short abandon and 1 call without an outcome yet;
    # 4 answered within 180 s: the service level of the period, 40 %.
    assert phone.measured and (phone.result.met, phone.result.volume) == (4, 10)
    voice = rows["boite-vocale-reponse"]
    assert (voice.result.met, voice.result.volume, voice.result.median, voice.result.p90) == (
        1,
        2,
        1,
        2,
    )
    mail = rows["renseignements-courriel-reponse"]
    assert (mail.result.met, mail.result.volume, mail.result.p90) == (1, 2, 6)
    doc = document(report)
    header = dict(doc.header)
    assert header["Niveau de service"].startswith(
        "Téléphone (réponse en 3 minutes) : niveau de service = appels répondus en 180 secondes "
        "ou moins ÷ (appels offerts − abandons courts)."
    )
    context = html_context(report)
    [row] = [r for r in context["commitments"] if "renseignements-telephone-reponse" in r["about"]]
    # Waits 0, 6, 10, 20, 45, 100, 180, 181, 240, 300: nearest rank 5th and 9th.
    assert (row["result"], row["met"], row["median"], row["p90"], row["remark"]) == (
        "40,0\u00a0%",
        "4 / 10",
        "45\u00a0s",
        "240\u00a0s",
        "",
    )
    [voice_row] = [r for r in context["commitments"] if "boite-vocale-reponse" in r["about"]]
    assert voice_row["p90"] == "2\u00a0j. ouvr."
    html = render_html(report).decode()
    assert "Médiane (jours ouvrables)</th>" in html  # the processing times, in business days
    assert "mesuré hors de Guichet" not in html


def test_the_commitment_in_force(contact_data: None) -> None:
    stopped = stopped_between(D("2026-10-01"), D("2026-12-31"))
    phone = Commitment.objects.get(code="renseignements-telephone-reponse")
    assert stopped.measured >= {phone.pk}
    assert int((stopped.commitment == phone.pk).sum()) == 10
