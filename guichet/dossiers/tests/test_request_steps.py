"""Issue 12: the online request in short steps, kept in the session, without JavaScript;
"Vérifier vos réponses"; the confirmation; the date of birth in three fields; errors."""

from datetime import date

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client

from guichet.dossiers.drafts import DRAFT_DIR
from guichet.dossiers.forms import IdentityStepForm
from guichet.dossiers.models import Dossier
from guichet.testing import PASSWORD, Personas, birth_date_fields, file_online, pdf_upload

pytestmark = pytest.mark.django_db
START = "/demande/caq-etudiant/"


def signed_in(user: object) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (("", "", ""), "Entrez la date de naissance : jour, mois et année."),
        (("17", "", "1990"), "La date doit comprendre un jour, un mois et une année."),
        (("17", "mai", "1990"), "Entrez la date en chiffres, l'année sur quatre chiffres"),
        (("17", "5", "90"), "Entrez la date en chiffres, l'année sur quatre chiffres"),
        (("31", "2", "1990"), "Cette date n'existe pas : vérifiez le jour et le mois."),
        (("17", "5", "2999"), "La date de naissance doit être dans le passé."),
    ],
)
def test_the_date_of_birth_says_which_part_is_wrong(parts: tuple[str, ...], error: str) -> None:
    day, month, year = parts
    form = IdentityStepForm(
        {"birth_date_jour": day, "birth_date_mois": month, "birth_date_annee": year}
    )
    assert not form.is_valid()
    assert str(form.errors["birth_date"][0]).startswith(error)


def test_the_date_of_birth_is_three_boxes_not_a_date_picker() -> None:
    form = IdentityStepForm({**birth_date_fields(date(1990, 5, 17)), "passport_number": ""})
    assert form.is_valid()
    assert form.cleaned_data["birth_date"] == date(1990, 5, 17)
    html = str(IdentityStepForm())
    assert 'type="date"' not in html


def test_each_step_in_order_then_check_then_send(personas: Personas) -> None:
    client = signed_in(personas.owner)
    drafts = (
        set(default_storage.listdir(DRAFT_DIR)[1]) if default_storage.exists(DRAFT_DIR) else set()
    )
    assert client.get(START)["Location"] == f"{START}coordonnees/"
    # A later step before the earlier ones: back to the first missing.
    assert client.get(f"{START}verifier/")["Location"] == f"{START}coordonnees/"
    refused = client.post(f"{START}coordonnees/", {"applicant_name": "", "postal_address": ""})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "<title>Erreur : Vos coordonnées" in html
    assert '<a href="#id_applicant_name">Entrez votre nom complet.</a>' in html
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in html
    ok = client.post(
        f"{START}coordonnees/", {"applicant_name": "Dominique Exemple", "postal_address": "1 rue"}
    )
    assert ok["Location"] == f"{START}identite/"
    ok = client.post(f"{START}identite/", birth_date_fields(date(1990, 5, 17)))
    assert ok["Location"] == f"{START}documents/"
    ok = client.post(f"{START}documents/", {"doc_passeport": pdf_upload("pass.pdf")})
    assert ok["Location"] == f"{START}verifier/"
    kept = set(default_storage.listdir(DRAFT_DIR)[1]) - drafts
    assert len(kept) == 1
    check = client.get(f"{START}verifier/").content.decode()
    assert "Vérifier vos réponses" in check
    assert "pass.pdf" in check
    assert "17 mai 1990" in check
    # Changing an answer goes back to the check page.
    changed = client.post(
        f"{START}coordonnees/?retour=verifier",
        {"applicant_name": "Dominique Exemple-Tremblay", "postal_address": "1 rue"},
    )
    assert changed["Location"] == f"{START}verifier/"
    assert Dossier.objects.count() == 0  # nothing is filed before "Envoyer ma demande"
    refused = client.post(f"{START}verifier/", {})
    assert refused.status_code == 400
    sent = client.post(f"{START}verifier/", {"certify": "on"})
    dossier = Dossier.objects.get()
    assert sent["Location"] == f"/dossiers/{dossier.number}/envoyee/"
    assert dossier.applicant_name == "Dominique Exemple-Tremblay"
    assert dossier.birth_date == date(1990, 5, 17)
    assert list(dossier.documents.values_list("checklist_code", "original_name")) == [
        ("passeport", "pass.pdf")
    ]
    assert not kept & set(default_storage.listdir(DRAFT_DIR)[1])  # the draft copy is gone
    assert client.get(START)["Location"] == f"{START}coordonnees/"  # the draft is forgotten


def test_the_confirmation_says_what_is_already_missing(personas: Personas) -> None:
    with time_machine.travel("2026-12-18 10:00 -05:00"):
        client = signed_in(personas.owner)
        sent = file_online(client, doc_passeport=pdf_upload("pass.pdf"))
        page = client.get(sent["Location"]).content.decode()
    number = Dossier.objects.get().number
    assert f'<strong class="number">{number}</strong>' in page
    assert "Ce qui se passe ensuite" in page
    assert "au plus tard le lundi 25 janvier 2027" in page
    assert "Lettre d&#x27;admission d&#x27;un établissement" in page
    assert "Frais exigés non payés : 128,00 $" in page
    assert "le délai sera alors suspendu" in page
    # Another client does not reach it.
    other = signed_in(personas.other_client)
    assert other.get(f"/dossiers/{number}/envoyee/").status_code == 404


def test_staff_pages_do_not_speak_to_a_client(personas: Personas) -> None:
    agent = Client()
    agent.force_login(personas.agent)
    page = agent.get("/bureau/").content.decode()
    assert "votre demande" not in page.split("<footer")[1]
    client = signed_in(personas.owner)
    assert "votre demande" in client.get("/dossiers/").content.decode().split("<footer")[1]


def test_files_of_requests_never_sent_are_deleted_after_a_day(personas: Personas) -> None:
    from datetime import timedelta

    from guichet.dossiers.drafts import drafts_forget_older_than

    client = signed_in(personas.owner)
    client.post(f"{START}coordonnees/", {"applicant_name": "D", "postal_address": "1 rue"})
    client.post(f"{START}identite/", birth_date_fields(date(1990, 5, 17)))
    client.post(f"{START}documents/", {"doc_passeport": pdf_upload("pass.pdf")})
    kept = set(default_storage.listdir(DRAFT_DIR)[1])
    assert kept
    drafts_forget_older_than(timedelta(days=1))  # a fresh draft stays
    assert kept <= set(default_storage.listdir(DRAFT_DIR)[1])
    assert drafts_forget_older_than(timedelta(seconds=-1)) >= len(kept)
    assert not kept & set(default_storage.listdir(DRAFT_DIR)[1])
