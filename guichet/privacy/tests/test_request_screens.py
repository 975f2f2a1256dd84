"""The screens of requests for access or rectification: who reaches what, the person's page,
the privacy officer's queue and actions, re-authentication before an export, bad input."""

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts.models import User
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.dossiers.models import Dossier
from guichet.privacy import services
from guichet.privacy.models import InfoRequest, InfoRequestEvent, InfoRequestFile, InfoRequestKind
from guichet.privacy.tests.conftest import client_for
from guichet.testing import Personas

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "owner", "other_client", "agent", "other_agent", "supervisor", "officer"]


@pytest.fixture
def requests(personas: Personas, officer: User, dossier: Dossier) -> dict[str, Any]:
    """The owner's access request, extended (with its notice), and rectification request."""
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        access = services.info_request_submit(person=personas.owner, kind=InfoRequestKind.ACCESS)
        rectification = services.info_request_submit(
            person=personas.owner,
            kind=InfoRequestKind.RECTIFICATION,
            details="Mon nom est mal écrit.",
            correction="Dominique Exemple-Tremblay",
            dossier_number=dossier.number,
        )
    with time_machine.travel("2026-12-20 10:00 -05:00", tick=False):
        notice = services.info_request_extend(
            request=access, reason="Recherche dans les archives.", actor=officer
        )
    return {"access": access, "rectification": rectification, "notice": notice}


def state() -> tuple[Any, ...]:
    return (
        AccessLog.objects.count(),
        list(InfoRequestEvent.objects.values_list("pk", flat=True)),
        InfoRequestFile.objects.count(),
        list(Dossier.objects.values_list("version", "applicant_name")),
    )


def client_as(persona: str, personas: Personas, officer: User) -> Client:
    if persona == "anonymous":
        return Client()
    return client_for(
        officer if persona == "officer" else personas.all()[persona], reauthenticated=True
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reaches_the_pages_of_the_persons_requests(
    personas: Personas, officer: User, requests: dict[str, Any], persona: str
) -> None:
    a, n = requests["access"], requests["notice"]
    pages = {
        "/confidentialite/mes-renseignements/": {
            "owner",
            "other_client",
            "agent",
            "other_agent",
            "supervisor",
            "officer",
        },
        f"/confidentialite/mes-renseignements/{a.pk}/": {"owner"},
        f"/confidentialite/mes-renseignements/{a.pk}/fichiers/{n.pk}/": {"owner"},
    }
    for path, allowed in pages.items():
        client = client_as(persona, personas, officer)
        before = state()
        response = client.get(path)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif persona in allowed:
            assert response.status_code == 200, path
            continue
        else:
            assert response.status_code == 404, path
        assert state() == before, path


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_privacy_officer_reaches_the_request_screens(
    personas: Personas, officer: User, requests: dict[str, Any], persona: str
) -> None:
    a, r, n = requests["access"], requests["rectification"], requests["notice"]
    base = "/confidentialite/demandes"
    calls = [
        ("get", f"{base}/", {}),
        ("get", f"{base}/{a.pk}/", {}),
        ("get", f"{base}/{a.pk}/fichiers/{n.pk}/", {}),
        ("post", f"{base}/{r.pk}/prolonger/", {"reason": "Volume."}),
        ("post", f"{base}/{a.pk}/transmettre/", {"message": ""}),
        ("post", f"{base}/{r.pk}/refuser/", {"reasons": "Non."}),
        ("post", f"{base}/{r.pk}/rectifier/", {"dossier": "x", "field_name": "x", "value": "x"}),
    ]
    for method, path, data in calls:
        client = client_as(persona, personas, officer)
        before = state()
        response = client.get(path) if method == "get" else client.post(path, data)
        if persona == "officer":
            assert response.status_code in (200, 302, 400), path
            if response.status_code == 302:
                assert not response["Location"].startswith("/accounts/"), path
            continue
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, path
        assert state() == before, path


def test_the_person_asks_online_and_sees_the_due_date(personas: Personas) -> None:
    with time_machine.travel("2027-03-02 10:00 -05:00", tick=False):
        client = client_for(personas.owner)
        page = client.get("/confidentialite/mes-renseignements/")
        assert "Mes renseignements personnels" in page.content.decode()
        response = client.post("/confidentialite/mes-renseignements/", {"kind": "access"})
        request = InfoRequest.objects.get()
        assert response["Location"] == f"/confidentialite/mes-renseignements/{request.pk}/"
        html = client.get(response["Location"]).content.decode()
    assert request.reference in html
    assert "au plus tard le 22 mars 2027" in html
    assert "Date de réception" in html and "2 mars 2027" in html
    home = client.get("/confidentialite/mes-renseignements/").content.decode()
    assert request.reference in home
    # Reading one's own request page is in the log, like a dossier's.
    read = AccessLog.objects.filter(action=AccessAction.READ).get()
    assert (read.subject_kind, read.subject_id, read.person_id, read.why) == (
        SubjectKind.INFO_REQUEST,
        request.pk,
        personas.owner.pk,
        "consultation par la personne concernée",
    )


def test_a_rectification_without_what_is_wrong_is_refused_on_the_page(
    personas: Personas,
) -> None:
    client = client_for(personas.owner)
    before = state()
    response = client.post(
        "/confidentialite/mes-renseignements/", {"kind": "rectification", "correction": "X"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Corrigez ce qui suit" in html
    assert "Indiquez quel renseignement est inexact." in html
    assert state() == before
    odd = client.post("/confidentialite/mes-renseignements/", {"kind": "<script>"})
    assert odd.status_code == 400 and "<script>" not in odd.content.decode().split("<main")[1]
    assert state() == before


def test_the_person_downloads_the_notice_and_each_download_is_logged(
    personas: Personas, requests: dict[str, Any]
) -> None:
    a, n = requests["access"], requests["notice"]
    client = client_for(personas.owner)
    page = client.get(f"/confidentialite/mes-renseignements/{a.pk}/").content.decode()
    assert "au plus tard le 17 janvier 2027" in page
    assert "Recherche dans les archives." in page
    assert "il devait d'abord prendre fin le 7 janvier 2027" in page
    for _ in range(2):
        response = client.get(f"/confidentialite/mes-renseignements/{a.pk}/fichiers/{n.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.getvalue().startswith(b"%PDF")
    downloads = AccessLog.objects.filter(why__startswith="téléchargement par la personne")
    assert [(d.person_id, d.subject_id, d.why) for d in downloads] == [
        (personas.owner.pk, a.pk, "téléchargement par la personne : Avis de prolongation du délai")
    ] * 2


def test_the_queue_orders_by_due_date_and_flags_late_requests(
    personas: Personas, officer: User
) -> None:
    for when, person in (
        ("2027-01-10 10:00 -05:00", personas.owner),
        ("2027-01-02 10:00 -05:00", personas.other_client),
        ("2027-01-25 10:00 -05:00", personas.owner),
    ):
        with time_machine.travel(when, tick=False):
            services.info_request_submit(person=person, kind=InfoRequestKind.ACCESS)
    with time_machine.travel("2027-01-26 10:00 -05:00", tick=False):
        html = client_for(officer).get("/confidentialite/demandes/").content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert ["2027-01-22" in rows[0], "2027-01-30" in rows[1], "2027-02-14" in rows[2]] == [True] * 3
    assert "en retard" in rows[0] and "flag-overdue" in rows[0]
    assert "échéance proche" in rows[1] and "flag-risk" in rows[1]
    assert "en cours" in rows[2]


def test_the_export_asks_for_the_password_again(
    personas: Personas, officer: User, requests: dict[str, Any]
) -> None:
    a = requests["access"]
    path = f"/confidentialite/demandes/{a.pk}/transmettre/"
    officer_client = client_for(officer)
    before = state()
    stale = officer_client.post(
        path, {}, HTTP_REFERER=f"http://testserver/confidentialite/demandes/{a.pk}/"
    )
    assert stale.status_code == 302
    assert stale["Location"].startswith("/accounts/confirmer/?next=")
    assert state() == before
    done = client_for(officer, reauthenticated=True).post(path, {"message": "Voici."})
    assert done["Location"] == f"/confidentialite/demandes/{a.pk}/"
    assert sorted(a.files.values_list("kind", flat=True)) == [
        "answer",
        "export_json",
        "export_pdf",
        "extension_notice",
    ]
    page = client_for(personas.owner).get(f"/confidentialite/mes-renseignements/{a.pk}/")
    html = page.content.decode()
    assert "Vos renseignements personnels (JSON)" in html
    assert "Vos renseignements personnels (PDF)" in html


def test_a_late_extension_is_refused_on_the_page(
    personas: Personas, officer: User, requests: dict[str, Any]
) -> None:
    r = requests["rectification"]
    before = state()
    with time_machine.travel("2027-01-08 09:00 -05:00", tick=False):
        client = client_for(officer)
        before = state()
        page = client.get(f"/confidentialite/demandes/{r.pk}/").content.decode()
        assert "Le délai de 20 jours a pris fin le 2027-01-07" in page
        response = client.post(f"/confidentialite/demandes/{r.pk}/prolonger/", {"reason": "x"})
    assert response.status_code == 400
    assert "Le délai de 20 jours a pris fin le 2027-01-07" in response.content.decode()
    # The refused attempt changed nothing but the log of the officer's reads.
    after = state()
    assert after[1:] == before[1:]


def test_the_officer_rectifies_through_the_page(
    personas: Personas, officer: User, dossier: Dossier, requests: dict[str, Any]
) -> None:
    r = requests["rectification"]
    client = client_for(officer)
    page = client.get(f"/confidentialite/demandes/{r.pk}/").content.decode()
    assert "Dominique Exemple-Tremblay" in page  # the correction asked, ready to apply
    bad = client.post(
        f"/confidentialite/demandes/{r.pk}/rectifier/",
        {"dossier": dossier.number, "field_name": "birth_date", "value": "17 mai"},
    )
    assert bad.status_code == 400
    assert "Date invalide : écrivez-la AAAA-MM-JJ." in bad.content.decode()
    done = client.post(
        f"/confidentialite/demandes/{r.pk}/rectifier/",
        {
            "dossier": dossier.number,
            "field_name": "applicant_name",
            "value": "Dominique Exemple-Tremblay",
        },
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Dominique Exemple-Tremblay"
    assert r.events.order_by("-seq").values_list("kind", flat=True)[0] == "rectified"


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", "'); DROP TABLE privacy_inforequest; --"]
)
def test_markup_and_sql_are_kept_as_text(personas: Personas, payload: str) -> None:
    client = client_for(personas.owner)
    response = client.post(
        "/confidentialite/mes-renseignements/",
        {"kind": "rectification", "details": payload, "correction": payload},
    )
    request = InfoRequest.objects.get()
    assert (request.details, request.correction) == (payload, payload)
    html = client.get(response["Location"]).content.decode()
    assert payload not in html
    assert "&lt;script&gt;" in html or "DROP TABLE" in html


def test_oversized_text_is_refused_and_changes_nothing(personas: Personas) -> None:
    client = client_for(personas.owner)
    before = state()
    response = client.post(
        "/confidentialite/mes-renseignements/", {"kind": "access", "details": "x" * 4001}
    )
    assert response.status_code == 400
    assert "Corrigez ce qui suit" in response.content.decode()
    assert state() == before


def test_pages_have_labels_one_title_and_no_inline_script_or_style(
    personas: Personas, officer: User, requests: dict[str, Any]
) -> None:
    """What a test without a browser can check of WCAG and of the Content Security Policy
    (axe-core runs on the other privacy pages in tests/e2e)."""
    a, r = requests["access"], requests["rectification"]
    pages = [
        (client_for(personas.owner), "/confidentialite/mes-renseignements/"),
        (client_for(personas.owner), f"/confidentialite/mes-renseignements/{a.pk}/"),
        (client_for(officer), "/confidentialite/demandes/"),
        (client_for(officer), f"/confidentialite/demandes/{a.pk}/"),
        (client_for(officer), f"/confidentialite/demandes/{r.pk}/"),
    ]
    for client, url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert html.count("<h1") == 1, url
        assert " style=" not in html and "<style" not in html, url
        assert html.count("<script") == html.count("<script src="), url
        for field_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', html):
            assert f'for="{field_id}"' in html, (url, field_id)
