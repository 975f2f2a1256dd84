"""Sealed: only the Commissaire's office reads complaints. The persona matrix over every page
of the app; the API, the admin, the exports and the access log give nothing away; a denial
changes nothing. The Commissaire may open the linked dossier, with the reason logged."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guichet.accounts.models import Unit, User
from guichet.accounts.services import api_token_create
from guichet.audit.models import AccessLog, SubjectKind
from guichet.complaints import services
from guichet.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    Kind,
    Outcome,
    Recommendation,
)
from guichet.privacy.export import personal_data
from guichet.testing import Personas, signed_in_client

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Agent impoli au comptoir numéro 7."  # noqa: S105 (not a password)
STAFF_AND_OTHERS = [
    "other_client",
    "agent",
    "other_agent",
    "supervisor",
    "privacy_officer",
    "administrator",
]


def dossier_number(complaint: Complaint) -> str:
    assert complaint.dossier is not None
    return complaint.dossier.number


def office_routes(
    complaint: Complaint, recommendation: Recommendation
) -> list[tuple[str, str, dict[str, str]]]:
    n = complaint.number
    caq = str(Unit.objects.get(code="caq").pk)
    return [
        ("get", reverse("complaints:office"), {}),
        ("get", reverse("complaints:enter"), {}),
        (
            "post",
            reverse("complaints:enter"),
            {
                "channel": "mail",
                "received_on": "2026-01-05",
                "kind": "complaint",
                "subject": "other",
                "text": "x",
                "contact_name": "x",
                "contact_phone": "1",
            },
        ),
        ("get", reverse("complaints:year"), {}),
        ("get", reverse("complaints:office_detail", args=[n]), {}),
        ("get", reverse("complaints:letter", args=[n]), {}),
        ("get", reverse("complaints:dossier", args=[n]), {}),
        ("post", reverse("complaints:dossier", args=[n]), {"reason": "vérifier"}),
        ("post", reverse("complaints:act", args=[n, "accuser-reception"]), {}),
        ("post", reverse("complaints:act", args=[n, "demander-renseignements"]), {"question": "q"}),
        ("post", reverse("complaints:act", args=[n, "renseignements-recus"]), {"note": "n"}),
        (
            "post",
            reverse("complaints:act", args=[n, "repondre"]),
            {"outcome": "founded", "findings": "f", "changes": "c"},
        ),
        ("post", reverse("complaints:act", args=[n, "unite"]), {"unit": caq}),
        ("post", reverse("complaints:act", args=[n, "recommander"]), {"unit": caq, "text": "t"}),
        (
            "post",
            reverse(
                "complaints:recommendation_done",
                args=[recommendation.complaint.number, recommendation.pk],
            ),
            {"report": "fait"},
        ),
    ]


@pytest.fixture
def recommendation(complaint: Complaint, commissaire: User) -> Recommendation:
    # A second, answered complaint carries the recommendation; the first stays open.
    other = services.complaint_file(
        actor=commissaire,
        kind=Kind(complaint.kind),
        subject=complaint.subject,
        text="Autre plainte.",
        channel=Channel.PHONE,
        received_on=complaint.received_on,
        contact_phone="514-555-0100",
    )
    services.complaint_answer(
        complaint=other, actor=commissaire, outcome=Outcome.FOUNDED, findings="f", changes="c"
    )
    return services.recommendation_make(
        complaint=other, actor=commissaire, unit=Unit.objects.get(code="caq"), text="Former."
    )


def snapshot() -> tuple[Any, ...]:
    return (
        list(Complaint.objects.order_by("pk").values()),
        ComplaintEvent.objects.count(),
        list(Recommendation.objects.order_by("pk").values()),
        AccessLog.objects.filter(
            subject_kind__in=[SubjectKind.COMPLAINT, SubjectKind.DOSSIER]
        ).count(),
    )


@pytest.mark.parametrize("who", STAFF_AND_OTHERS + ["owner"])
def test_nobody_but_the_office_reaches_its_pages(
    who: str, everyone: dict[str, Any], complaint: Complaint, recommendation: Recommendation
) -> None:
    client = signed_in_client(everyone[who])
    before = snapshot()
    for method, url, data in office_routes(complaint, recommendation):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, method, url)
        assert SECRET_TEXT not in response.content.decode()
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(
    complaint: Complaint, recommendation: Recommendation
) -> None:
    before = snapshot()
    for method, url, data in office_routes(complaint, recommendation):
        response = getattr(Client(), method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert snapshot() == before


def test_the_office_reaches_every_page(
    commissaire: User, complaint: Complaint, recommendation: Recommendation
) -> None:
    client = signed_in_client(commissaire)
    for method, url, data in office_routes(complaint, recommendation):
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (method, url)
    complaint.refresh_from_db()
    assert complaint.state == "answered"
    assert complaint.unit is not None and complaint.unit.code == "caq"
    recommendation.refresh_from_db()
    assert recommendation.done_report == "fait"


def test_the_office_page_shows_the_complaint(commissaire: User, complaint: Complaint) -> None:
    response = signed_in_client(commissaire).get(
        reverse("complaints:office_detail", args=[complaint.number])
    )
    assert SECRET_TEXT in response.content.decode()
    log = AccessLog.objects.filter(subject_kind=SubjectKind.COMPLAINT, actor=commissaire).get()
    assert (log.subject_id, log.why) == (complaint.pk, "examen de la plainte")


def test_the_commissaire_opens_the_linked_dossier_with_a_logged_reason(
    commissaire: User, complaint: Complaint
) -> None:
    client = signed_in_client(commissaire)
    url = reverse("complaints:dossier", args=[complaint.number])
    page = client.get(url)
    assert dossier_number(complaint) not in page.content.decode().split("Consulter le dossier")[-1]
    response = client.post(url, {"reason": "vérifier l'historique"})
    assert response.status_code == 200
    assert "Historique du dossier" in response.content.decode()
    read = AccessLog.objects.filter(subject_kind=SubjectKind.DOSSIER, actor=commissaire).get()
    assert read.subject_number == dossier_number(complaint)
    assert read.why == "examen d'une plainte : vérifier l'historique"


def test_the_commissaire_cannot_open_other_dossiers_from_the_office(
    commissaire: User, complaint: Complaint, personas: Personas
) -> None:
    client = signed_in_client(commissaire)
    # The staff's and the client's dossier pages stay closed to the office.
    number = dossier_number(complaint)
    assert client.get(f"/bureau/dossiers/{number}/").status_code == 404
    assert client.get(f"/dossiers/{number}/").status_code == 404


def test_the_complainant_reads_their_own_and_nobody_else_does(
    everyone: dict[str, Any], complaint: Complaint
) -> None:
    url = reverse("complaints:mine_detail", args=[complaint.number])
    response = signed_in_client(everyone["owner"]).get(url)
    assert response.status_code == 200 and SECRET_TEXT in response.content.decode()
    for who in STAFF_AND_OTHERS:
        client = signed_in_client(everyone[who])
        assert client.get(url).status_code == 404, who
        assert complaint.number not in client.get(reverse("complaints:mine")).content.decode()


def test_the_api_has_no_way_to_complaints(complaint: Complaint, personas: Personas) -> None:
    from guichet.api import api

    assert not [
        p for p in api.urls[0] if "plainte" in str(p.pattern) or "complaint" in str(p.pattern)
    ]
    service = User.objects.create_user("systeme.caq@example.org", "x")
    service.memberships.create(unit=Unit.objects.get(code="caq"), role="agent")
    _token, secret = api_token_create(name="Système", user=service, actor=None)
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for url in (f"/api/plaintes/{complaint.number}", f"/api/dossiers/{complaint.number}"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert SECRET_TEXT not in response.content.decode()
    # The dossier's own history in the API says nothing of the complaint.
    history = api_client.get(f"/api/dossiers/{dossier_number(complaint)}/evenements")
    assert "plainte" not in history.content.decode().lower()


def test_the_admin_has_no_complaints(complaint: Complaint) -> None:
    root = User.objects.create_superuser("root@example.org", "x-Test-pass-42")
    client = signed_in_client(root)
    assert client.get("/admin/complaints/complaint/").status_code == 404
    assert client.get("/admin/complaints/").status_code == 404
    index = client.get("/admin/").content.decode()
    assert "plainte" not in index.lower()


def test_the_privacy_officers_access_log_names_no_complainant(
    everyone: dict[str, Any], complaint: Complaint, commissaire: User
) -> None:
    signed_in_client(commissaire).get(reverse("complaints:office_detail", args=[complaint.number]))
    for entry in AccessLog.objects.filter(subject_kind=SubjectKind.COMPLAINT):
        assert (entry.person_id, entry.subject_number) == (None, "")
    page = signed_in_client(everyone["privacy_officer"]).get(reverse("privacy:access_log_export"))
    body = b"".join(page.streaming_content) if page.streaming else page.content
    assert SECRET_TEXT.encode() not in body
    assert complaint.number.encode() not in body


def test_the_personal_data_export_has_the_persons_own_complaints(
    personas: Personas, complaint: Complaint
) -> None:
    mine = personal_data(personas.owner)["sections"]["plaintes"]["contenu"]
    [entry] = mine["plaintes_et_commentaires"]
    assert (entry["numéro"], entry["description"], entry["dossier"]) == (
        complaint.number,
        SECRET_TEXT,
        dossier_number(complaint),
    )
    theirs = personal_data(personas.other_client)["sections"]["plaintes"]["contenu"]
    assert theirs == {"plaintes_et_commentaires": []}


def test_the_complainant_reads_the_answer(
    personas: Personas, complaint: Complaint, commissaire: User
) -> None:
    services.complaint_answer(
        complaint=complaint,
        actor=commissaire,
        outcome=Outcome.PARTLY_FOUNDED,
        findings="Le ton employé était inapproprié.",
        changes="Un rappel des règles de courtoisie.",
    )
    html = (
        signed_in_client(personas.owner)
        .get(reverse("complaints:mine_detail", args=[complaint.number]))
        .content.decode()
    )
    assert ": plainte partiellement fondée." in html
    assert "Le ton employé était inapproprié." in html


def test_a_unit_sees_its_recommendations_never_the_complaint(
    everyone: dict[str, Any], recommendation: Recommendation
) -> None:
    url = reverse("complaints:unit_recommendations")
    for who in ("owner", "other_client", "agent", "other_agent", "privacy_officer", "commissaire"):
        assert signed_in_client(everyone[who]).get(url).status_code == 404, who
    page = signed_in_client(everyone["supervisor"]).get(url).content.decode()
    assert "Former." in page
    assert recommendation.complaint.number not in page
    assert "Autre plainte." not in page
    # The supervisor reports it done; a denial for another unit's supervisor changes nothing.
    other = User.objects.create_user("sup.csq@example.org", "x-Test-pass-42")
    other.memberships.create(unit=Unit.objects.get(code="csq"), role="supervisor")
    data = {"recommendation": str(recommendation.pk), "report": "Fait."}
    assert signed_in_client(other).post(url, data).status_code == 404
    recommendation.refresh_from_db()
    assert recommendation.done_on is None
    assert signed_in_client(everyone["supervisor"]).post(url, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.done_report == "Fait."
