"""`guichet load-declaration` and `guichet catalogue` as an operator runs them."""

import json
from pathlib import Path

import pytest
import time_machine

from guichet.catalogue.models import Declaration
from guichet.testing import MICC, run_command

pytestmark = pytest.mark.django_db

COMMITMENT_KEYS = {
    "code",
    "label",
    "target",
    "unit",
    "starts_on",
    "stops_on",
    "in_force_from",
    "in_force_to",
    "performance_target",
}


def test_load_declaration_then_again(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_command(capsys, "load-declaration", str(MICC))
    assert first.code == 0
    assert "version 2023-04 de « micc » chargée" in first.out
    again = run_command(capsys, "load-declaration", str(MICC))
    assert again.code == 0
    assert "déjà chargée, rien n'a changé" in again.out
    assert Declaration.objects.count() == 1


def test_load_declaration_error_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        MICC.read_text(encoding="utf-8").replace('audience = "person"', 'audience = "people"', 1)
    )
    run = run_command(capsys, "load-declaration", str(bad))
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert run.err.startswith(
        f"{bad} : services[0] « evaluation-preliminaire », champ « audience »"
    )
    assert Declaration.objects.count() == 0


@time_machine.travel("2026-11-29 12:00 -05:00")
def test_catalogue_json(capsys: pytest.CaptureFixture[str], micc: Declaration) -> None:
    run = run_command(capsys, "catalogue", "--json")
    assert run.code == 0
    services = json.loads(run.out)
    assert len(services) == 41
    assert {"code", "name", "kind", "audience", "commitments"} <= set(services[0])
    by_code = {s["code"]: s for s in services}
    phone = by_code["renseignements-telephone"]
    assert (phone["kind"], phone["audience"]) == ("enquiry", "person")
    assert phone["commitments"] == [
        {
            "code": "renseignements-telephone-reponse",
            "label": "Réponse à votre appel téléphonique",
            "target": 180,
            "unit": "seconds",
            "starts_on": "call_queued",
            "stops_on": "call_answered",
            "in_force_from": "2023-04-01",
            "in_force_to": None,
            "performance_target": 80,
        }
    ]
    assert by_code["csq-travailleur-permanent"]["name"].startswith("Demande de certificat")
    assert by_code["consultant-reconnaissance"]["audience"] == "consultant"
    assert by_code["validation-offre-emploi"]["audience"] == "business"
    all_commitments = [c for s in services for c in s["commitments"]]
    assert len(all_commitments) == 18
    assert all(set(c) == COMMITMENT_KEYS for c in all_commitments)
    assert all(isinstance(c["target"], int) for c in all_commitments)


def test_catalogue_before_any_load_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(capsys, "catalogue", "--json")
    assert run.code == 2
    assert run.err == (
        "aucune déclaration chargée : lancez « guichet load-declaration declarations/micc.toml »\n"
    )


def test_catalogue_on_a_date_before_the_declaration(
    capsys: pytest.CaptureFixture[str], micc: Declaration
) -> None:
    run = run_command(capsys, "catalogue", "--json", "--on", "2020-01-01")
    assert (run.code, run.err) == (2, "aucune déclaration en vigueur le 2020-01-01\n")


def test_catalogue_text(capsys: pytest.CaptureFixture[str], micc: Declaration) -> None:
    run = run_command(capsys, "catalogue", "--on", "2026-01-15")
    assert run.code == 0
    assert "Pour immigrer au Québec" in run.out
    assert "180 secondes : Réponse à votre appel téléphonique" in run.out
