"""The directory (data file, public page by need and region) and referrals from a dossier
(only by staff of the dossier's unit), recorded, e-mailed and counted in the annual report."""

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from guichet.datafiles import DataFileError
from guichet.referrals.models import Partner, Referral, Region
from guichet.referrals.services import partners_load
from guichet.reports.annual import annual_report
from guichet.reports.fiscal import FiscalYear
from guichet.testing import Personas, make_dossier, run_command, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db: None) -> None:
    partners_load(path=Path(settings.GUICHET_PARTNERS_FILE))


def test_seventeen_regions() -> None:
    assert [r.value for r in Region] == [f"{n:02d}" for n in range(1, 18)]


def test_the_command_loads_the_file(db: None, capsys: Any) -> None:
    run = run_command(capsys, "load-partners")
    assert run.out.strip() == "8 organismes ajoutés, 0 mis à jour"
    assert run_command(capsys, "load-partners").out.strip() == "0 organismes ajoutés, 8 mis à jour"


def test_a_wrong_region_loads_nothing(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text('[[partners]]\ncode = "x"\nname = "X"\nregions = ["18"]\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="regions inconnus : 18"):
        partners_load(path=bad)
    assert Partner.objects.count() == 0


def test_the_public_directory_by_need_and_region(directory: None) -> None:
    page = Client().get(reverse("referrals:directory"), {"need": "french", "region": "05"})
    assert [p.code for p in page.context["partners"]] == ["francisation-estrie"]
    page = Client().get(reverse("referrals:directory"), {"need": "legal", "region": "10"})
    assert [p.code for p in page.context["partners"]] == ["clinique-juridique-immigration"]


def test_a_visitor_gets_a_contact_by_email(
    directory: None, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("referrals:partner", args=["francisation-estrie"])
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(url, {"email": "ana@example.org", "need": "french"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.origin, referral.person_email, referral.referred_by) == (
        "public",
        "ana@example.org",
        None,
    )
    assert mail.outbox[0].to == ["ana@example.org"]
    assert "819 555-0103" in mail.outbox[0].body


@time_machine.travel("2026-12-04 10:00 -05:00", tick=False)
def test_an_agent_refers_the_client_of_a_dossier(
    directory: None, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = make_dossier(personas)
    url = reverse("referrals:refer") + f"?dossier={dossier.number}"
    partner = Partner.objects.get(code="francisation-estrie")
    data = {"partner": partner.pk, "need": "french", "region": "05", "reason": "Cours du soir."}
    # Another unit's agent and the client cannot: nothing recorded.
    for who in (personas.other_agent, personas.owner):
        assert signed_in_client(who).post(url, data).status_code == 404
    assert Referral.objects.count() == 0
    agent = signed_in_client(personas.agent)
    assert (
        "Orienter la personne"
        in agent.get(reverse("office:dossier", args=[dossier.number])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert agent.post(url, data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.referred_by, referral.person, referral.dossier_number, referral.reason) == (
        personas.agent,
        personas.owner,
        dossier.number,
        "Cours du soir.",
    )
    assert mail.outbox[-1].to == ["proprietaire@example.org"]
    report = annual_report(FiscalYear(2026))
    total = [c for c in report.counts if c.code == "orientations" and not c.group]
    assert [c.count for c in total] == [1]
