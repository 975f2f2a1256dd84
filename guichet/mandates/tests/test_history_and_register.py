"""Who did what on each timeline, and the register: recognized on a day, from its dates."""

from datetime import date, timedelta

import pytest

from guichet.dossiers import services
from guichet.dossiers.models import Dossier, EventKind
from guichet.mandates.models import Consultant
from guichet.mandates.selectors import consultants_recognized_on
from guichet.mandates.services import MandateError, consultant_register, mandate_grant
from guichet.mandates.tests.conftest import CONSULTANT_EMAIL, NUMBER, signed_in
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db


def test_each_timeline_names_who_did_what(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    assert consultant.user is not None
    services.dossier_report_change(
        dossier=dossier,
        kind=EventKind.SITUATION_CHANGED,
        text="Nouvel emploi.",
        actor=consultant.user,
    )
    owner_page = signed_in(personas.owner).get(f"/dossiers/{dossier.number}/").content.decode()
    assert 'Demande reçue <span class="by">(par vous)</span>' in owner_page
    assert 'Accusé de réception envoyé <span class="by">(par le ministère)</span>' in owner_page
    assert (
        'Mandat donné à un consultant en immigration <span class="by">(par vous)</span>'
        in owner_page
    )
    assert (
        'Changement de situation <span class="by">(par votre consultant·e '
        "Morgan Conseil-Exemple (n° RC-2024-0042))</span>" in owner_page
    )
    page = signed_in(consultant.user).get(f"/dossiers/{dossier.number}/").content.decode()
    assert 'Demande reçue <span class="by">(par votre client·e)</span>' in page
    assert 'Changement de situation <span class="by">(par vous)</span>' in page
    assert "Vous agissez sur ce dossier au nom de Dominique Exemple" in page
    # Only the owner manages mandates and withdraws.
    assert "Donner un mandat" not in page and "Retirer ma demande" not in page
    assert "Donner un mandat" in owner_page and "Retirer ma demande" in owner_page

    office = signed_in(personas.agent).get(f"/bureau/dossiers/{dossier.number}/").content.decode()
    assert '<td data-label="Par">client·e : Dominique Exemple</td>' in office
    by = '<td data-label="Par">'
    assert f"{by}consultant·e Morgan Conseil-Exemple (n° RC-2024-0042)</td>" in office
    assert '<td data-label="Par">Alex Agent</td>' in office
    assert "Représenté par</dt><dd>Morgan Conseil-Exemple" in office


@pytest.mark.parametrize(
    ("fields", "recognized"),
    [
        ({}, True),
        ({"recognized_from": date(2026, 6, 2)}, False),
        ({"recognized_until": date(2026, 5, 31)}, False),
        ({"recognized_until": date(2026, 6, 1)}, True),
        ({"suspended_from": date(2026, 6, 1)}, False),
        ({"suspended_from": date(2026, 5, 1), "suspended_until": date(2026, 5, 31)}, True),
        ({"suspended_from": date(2026, 5, 1), "suspended_until": date(2026, 6, 1)}, False),
        ({"suspended_from": date(2026, 6, 2)}, True),
        ({"revoked_on": date(2026, 6, 1)}, False),
        ({"revoked_on": date(2026, 6, 2)}, True),
    ],
)
def test_recognized_on_a_day(fields: dict[str, date], recognized: bool) -> None:
    """The query and the row's method agree, day by day, on 2026-06-01."""
    consultant = Consultant.objects.create(
        recognition_number="RC-1",
        full_name="Alix Exemple",
        email="alix@example.org",
        **{"recognized_from": date(2020, 1, 1), **fields},
    )
    day = date(2026, 6, 1)
    assert consultant.is_recognized_on(day) is recognized
    assert consultants_recognized_on(day).filter(pk=consultant.pk).exists() is recognized


def test_register_refuses_incoherent_entries() -> None:
    with pytest.raises(MandateError, match="La fin de la reconnaissance précède son début."):
        consultant_register(
            recognition_number="RC-2",
            full_name="Alix Exemple",
            email="alix@example.org",
            recognized_from=date(2026, 1, 1),
            recognized_until=date(2025, 1, 1),
        )
    assert not Consultant.objects.exists()


def test_the_consultant_command(personas: Personas, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(
        capsys,
        "consultant",
        "--numero",
        "RC-7",
        "--nom",
        "Alix Exemple",
        "--courriel",
        "Alix@Example.org",
        "--du",
        "2024-01-01",
        "--compte",
        personas.other_client.email,
    )
    assert run.code == 0
    assert run.out.strip() == (
        "n° RC-7 : Alix Exemple <alix@example.org> ; reconnu du 2024-01-01 ; "
        "compte : autre@example.org"
    )
    run = run_command(capsys, "consultant", "--numero", "RC-7", "--suspendre", "2026-01-01:")
    assert "suspendu du 2026-01-01 jusqu'à nouvel ordre" in run.out
    consultant = Consultant.objects.get()
    assert consultant.user == personas.other_client
    assert not consultant.is_recognized_on(date(2026, 1, 1) + timedelta(days=3))
    run = run_command(capsys, "consultant", "--numero", "RC-404", "--revoquer", "2026-01-01")
    assert (run.code, run.err.strip()) == (
        2,
        "guichet consultant : aucun consultant n° RC-404 au registre",
    )
    run = run_command(capsys, "consultant", "--numero", "RC-7", "--revoquer", "demain")
    assert run.code == 2
    assert "date invalide « demain »" in run.err
    assert Consultant.objects.get().revoked_on is None


def test_the_personal_data_export_has_the_mandates(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    from guichet.privacy.export import personal_data

    mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    mine = personal_data(personas.owner)["sections"]["mandats"]["contenu"]
    assert mine["mandats_donnés"] == [
        {
            "dossier": dossier.number,
            "consultant_numéro_de_reconnaissance": NUMBER,
            "donné_le": mine["mandats_donnés"][0]["donné_le"],
            "révoqué_le": None,
        }
    ]
    assert mine["mandats_reçus"] == []
    assert mine["registre_des_consultants"] is None
    assert consultant.user is not None
    theirs = personal_data(consultant.user)["sections"]["mandats"]["contenu"]
    assert theirs["mandats_donnés"] == []
    assert theirs["registre_des_consultants"]["numéro_de_reconnaissance"] == NUMBER
    assert [m["dossier"] for m in theirs["mandats_reçus"]] == [dossier.number]
    assert "Dominique" not in str(theirs)  # the client is not named to the consultant
    # Another client has nothing.
    other = personal_data(personas.other_client)["sections"]["mandats"]["contenu"]
    assert other == {"mandats_donnés": [], "registre_des_consultants": None, "mandats_reçus": []}


def test_the_api_names_mandate_events(
    personas: Personas, dossier: Dossier, consultant: Consultant
) -> None:
    from django.test import Client

    from guichet.accounts.services import api_token_create

    mandate_grant(
        dossier=dossier, recognition_number=NUMBER, email=CONSULTANT_EMAIL, actor=personas.owner
    )
    _token, secret = api_token_create(name="Système des études", user=personas.agent, actor=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    events = api.get(f"/api/dossiers/{dossier.number}/events").json()
    assert [(e["kind"], e["kind_label"]) for e in events][-1] == (
        "mandate_granted",
        "Mandat donné à un consultant en immigration",
    )
