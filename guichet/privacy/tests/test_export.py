"""The personal-data export: every section, nothing about anyone else, a real tagged PDF."""

import io
import json
from typing import Any

import pytest
from pypdf import PdfReader

from guichet import personal_data as registry
from guichet.accounts.models import User
from guichet.accounts.services import language_of_service_declare
from guichet.dossiers import services as dossier_services
from guichet.dossiers.models import Dossier
from guichet.personal_data import register_section
from guichet.privacy import services
from guichet.privacy.export import export_json, export_pdf, personal_data
from guichet.privacy.models import InfoRequestKind
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas, officer: User, dossier: Dossier) -> dict[str, Any]:
    """The owner's dossier (assigned to an agent, with a document and a letter) and request;
    another client's dossier and request; the officer looking both up."""
    dossier_services.dossier_assign(dossier=dossier, agent=personas.agent, actor=personas.agent)
    services.info_request_submit(person=personas.owner, kind=InfoRequestKind.ACCESS)
    language_of_service_declare(
        user=personas.owner,
        actor=personas.owner,
        language="en",
        basis="outside_quebec",
        outside_quebec=True,
    )
    other = make_dossier(
        personas,
        actor=personas.other_client,
        client=personas.other_client,
        applicant=dossier_services.Applicant(
            "Claude Autre-Exemple", "autre@example.org", "9, rue Ailleurs", None, "ZZ999999"
        ),
    )
    services.info_request_submit(
        person=personas.other_client,
        kind=InfoRequestKind.RECTIFICATION,
        details="Mon adresse",
        correction="10, rue Ailleurs",
    )
    return {"dossier": dossier, "other": other}


def test_the_json_export_has_every_section_about_the_person(
    personas: Personas, world: dict[str, Any]
) -> None:
    document = personal_data(personas.owner)
    assert document["format"] == "guichet.renseignements-personnels"
    assert document["personne"] == {"compte": personas.owner.pk, "courriel": personas.owner.email}
    sections = document["sections"]
    assert {"compte", "dossiers", "demandes_d_accès_et_de_rectification", "journal_des_accès"} <= (
        set(sections)
    )
    assert set(document["documentation"]["sections"]) == set(sections)
    account = sections["compte"]["contenu"]
    assert account["adresse_courriel"] == "proprietaire@example.org"
    assert account["nom_complet"] == "Dominique Exemple"
    assert account["validation_en_deux_étapes"] == {"activée": False, "depuis": None}
    (language,) = account["langue_de_service"]
    assert (language["langue"], language["domicile_hors_du_québec"], language["inscrite_par"]) == (
        "anglais",
        True,
        "vous",
    )
    (dossier,) = sections["dossiers"]["contenu"]["dossiers"]
    assert dossier["numéro"] == world["dossier"].number
    # Identity fields decrypted.
    assert dossier["identité"]["date_de_naissance"] == "1990-05-17"
    assert dossier["identité"]["numéro_de_passeport"] == "XK123456"
    assert [e["événement"] for e in dossier["historique"]] == [
        "Demande reçue",
        "Accusé de réception envoyé",
        "Dossier attribué",
    ]
    assert [e["par"] for e in dossier["historique"]] == [
        "vous",
        "le personnel du ministère",
        "le personnel du ministère",
    ]
    assert dossier["historique"][2]["détails"] == {}  # the agent's name is left out
    assert [d["nom_du_fichier"] for d in dossier["documents"]] == ["passeport.pdf"]
    assert [d["déposé_par"] for d in dossier["documents"]] == ["vous"]
    assert [letter["sorte"] for letter in dossier["lettres"]] == ["Accusé de réception"]
    (request,) = sections["demandes_d_accès_et_de_rectification"]["contenu"]["demandes"]
    assert request["demande"] == "Accès à mes renseignements personnels"
    assert [s["étape"] for s in request["étapes"]] == ["Demande reçue"]
    log = sections["journal_des_accès"]["contenu"]["entrées"]
    assert {e["dossier"] for e in log} == {world["dossier"].number, None}
    assert {e["par"] for e in log} <= {"vous", "le personnel du ministère", "système"}
    # What the JSON file holds is what personal_data returns.
    assert json.loads(export_json(document)) == document


def test_the_export_says_nothing_about_anyone_else(
    personas: Personas, world: dict[str, Any]
) -> None:
    text = export_json(personal_data(personas.owner)).decode()
    for other in (
        personas.other_client.email,
        "Claude",
        world["other"].number,
        "ZZ999999",
        "Ailleurs",
        personas.agent.email,
        personas.agent.full_name,
        "Alex",
        "prp@example.org",
        "Camille",
    ):
        assert other not in text, other


def test_an_app_adds_its_section_through_the_registry(personas: Personas, world: Any) -> None:

    @register_section("essai", title="Section d'essai", description="Pour le test.", order=1)
    def section(user: User) -> dict[str, Any]:
        return {"courriel": user.email}

    try:
        document = personal_data(personas.owner)
        assert list(document["sections"])[0] == "essai"
        assert document["sections"]["essai"]["contenu"] == {"courriel": personas.owner.email}
        with pytest.raises(ValueError, match="registered twice"):

            @register_section("essai", title="x", description="x")
            def other(user: User) -> dict[str, Any]:
                return {}
    finally:
        registry._SECTIONS.pop("essai")


def test_the_pdf_is_a_tagged_pdf_with_the_same_content(
    personas: Personas, world: dict[str, Any]
) -> None:
    pdf = export_pdf(personal_data(personas.owner))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Vos renseignements personnels détenus par le Ministère"
    root: Any = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert "/StructTreeRoot" in root
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Votre compte",
        "proprietaire@example.org",
        "Vos dossiers",
        world["dossier"].number,
        "XK123456",
        "Qui a consulté ou modifié vos renseignements",
    ):
        assert expected in text, expected
    assert world["other"].number not in text and "Alex Agent" not in text


def test_the_command_writes_both_files_and_logs_the_export(
    personas: Personas, dossier: Dossier, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from guichet.audit.models import AccessAction, AccessLog
    from guichet.testing import run_command

    before = AccessLog.objects.count()
    missing = run_command(capsys, "export-personal-data", "--email", "personne@example.org")
    assert missing.code == 2
    assert missing.err == (
        "guichet export-personal-data : --email : aucun compte n'utilise cette adresse\n"
    )
    assert AccessLog.objects.count() == before
    run = run_command(
        capsys,
        "export-personal-data",
        "--email",
        "Proprietaire@example.org",
        "--dir",
        str(tmp_path),
    )
    assert run.code == 0
    (json_file,) = tmp_path.glob("*.json")
    (pdf_file,) = tmp_path.glob("*.pdf")
    assert json.loads(json_file.read_text())["personne"]["courriel"] == personas.owner.email
    assert pdf_file.read_bytes().startswith(b"%PDF")
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (entry.person_id, entry.actor_id, entry.actor_label) == (
        personas.owner.pk,
        None,
        "guichet export-personal-data",
    )
