"""The JSON API: filing, status with clocks and history, for a token of the CAQ unit.

Personas: the CAQ unit's service account (its token files and reads CAQ dossiers), and the
work unit, whose dossiers and services the CAQ token must not reach.
"""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.http import Http404
from django.test import Client
from django.utils import timezone

from guichet.accounts.models import (
    ApiToken,
    Membership,
    StaffRole,
    Unit,
    UnitService,
    User,
)
from guichet.accounts.services import api_token_create
from guichet.audit.models import AccessLog
from guichet.catalogue.models import Declaration
from guichet.dossiers.models import Channel, Dossier
from guichet.dossiers.services import Applicant, dossier_file

pytestmark = pytest.mark.django_db

TODAY = "2026-12-18"
SYSTEM_NAME = "Système des études"
AUTH_MESSAGE = (
    "Authentification requise : envoyez un jeton d'API valide et non révoqué dans l'en-tête "
    "« Authorization: Bearer <secret> »."
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        yield


@pytest.fixture
def caq_unit(micc: Declaration, quebec_calendar: None) -> Unit:
    unit = Unit.objects.create(code="caq", name="Direction des CAQ")
    UnitService.objects.create(unit=unit, service_code="caq-etudiant")
    return unit


@pytest.fixture
def work_unit(micc: Declaration) -> Unit:
    unit = Unit.objects.create(code="travail", name="Direction du travail temporaire")
    UnitService.objects.create(unit=unit, service_code="caq-travailleur-temporaire")
    return unit


@pytest.fixture
def service_account(caq_unit: Unit) -> User:
    user = User.objects.create_user("systeme-etudes@guichet.example", full_name="Système études")
    Membership.objects.create(user=user, unit=caq_unit, role=StaffRole.AGENT)
    return user


@pytest.fixture
def token_and_secret(service_account: User) -> tuple[ApiToken, str]:
    return api_token_create(name=SYSTEM_NAME, user=service_account, actor=None)


@pytest.fixture
def api(token_and_secret: tuple[ApiToken, str]) -> Client:
    """A client that sends the CAQ token and, like a browser-less system, no CSRF token."""
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_and_secret[1]}")


@pytest.fixture
def work_dossier(work_unit: Unit, micc: Declaration) -> Dossier:
    service = micc.services.get(code="caq-travailleur-temporaire")
    return dossier_file(service=service, applicant=Applicant("Tran Minh"), actor=None)


def post(client: Client, body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/dossiers", data=data, content_type="application/json")


def file_one(api: Client, **overrides: Any) -> dict[str, Any]:
    response = post(api, {"service": "caq-etudiant", "applicant_name": "Ana Souza", **overrides})
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


# --- Tokens -----------------------------------------------------------------------------------


def test_token_keeps_only_the_hash_of_its_secret(service_account: User) -> None:
    token, secret = api_token_create(name=" Système des études ", user=service_account, actor=None)
    token.refresh_from_db()
    assert len(secret) == 43
    assert token.name == SYSTEM_NAME
    assert token.key_hash == ApiToken.hash_secret(secret)
    assert len(token.key_hash) == 64
    assert token.prefix == secret[:8]
    assert secret not in {token.name, token.key_hash, token.prefix}
    assert token.last_used_at is None
    assert token.revoked_at is None


def test_using_a_token_records_when(api: Client, token_and_secret: tuple[ApiToken, str]) -> None:
    assert api.get("/api/dossiers/2026-999999").status_code == 404
    token = token_and_secret[0]
    token.refresh_from_db()
    assert token.last_used_at == timezone.now()


def test_the_last_use_is_recorded_to_the_minute(
    api: Client, token_and_secret: tuple[ApiToken, str]
) -> None:
    token = token_and_secret[0]
    api.get("/api/dossiers/2026-999999")
    first = timezone.now()

    with time_machine.travel("2026-12-18 10:00:50 -05:00", tick=False):
        api.get("/api/dossiers/2026-999999")
    token.refresh_from_db()
    assert token.last_used_at == first  # not written again within the minute

    with time_machine.travel("2026-12-18 10:01:01 -05:00", tick=False):
        api.get("/api/dossiers/2026-999999")
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()


def test_a_token_of_a_deactivated_account_is_refused(api: Client, service_account: User) -> None:
    service_account.is_active = False
    service_account.save()

    response = api.get("/api/dossiers/2026-999999")

    assert response.status_code == 401
    assert response.json() == {"detail": AUTH_MESSAGE}


# --- Filing -----------------------------------------------------------------------------------


def test_filing_returns_201_with_number_and_exact_due_date(api: Client) -> None:
    response = post(api, {"service": "caq-etudiant", "applicant_name": "  Ana Souza "})

    assert response.status_code == 201
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/api/dossiers/{dossier.number}"
    assert dossier.number == f"2026-{dossier.pk:06d}"
    assert response.json() == {
        "number": dossier.number,
        "service": {
            "code": "caq-etudiant",
            "name": "Demande ou renouvellement d'un certificat d'acceptation du Québec (CAQ) "
            "— étudiant étranger",
        },
        "state": "received",
        "state_label": "En traitement",
        "received_on": TODAY,
        "channel": "api",
        "decision": None,
        "decided_on": None,
        "due_date": "2027-01-25",
        "assigned_to": None,
        "clocks": [
            {
                "commitment": "caq-etudes-decision",
                "label": "Décision à la suite d'une demande de certificat d'acceptation du "
                "Québec pour études",
                "target": 20,
                "unit": "business_days",
                "started_on": TODAY,
                "stopped_on": None,
                "due_date": "2027-01-25",
                "status": "running",
                "elapsed": 0,
                "suspended_days": 0,
                "outcome": None,
            }
        ],
    }
    assert dossier.applicant_name == "Ana Souza"
    assert dossier.channel == Channel.API
    assert dossier.due_date.isoformat() == "2027-01-25"  # type: ignore[union-attr]


def test_filing_a_mail_request_on_its_real_date(api: Client) -> None:
    body = file_one(
        api,
        channel="mail",
        received_on="2026-12-01",
        applicant_email="ana.souza@example.org",
        postal_address="12, rue des Érables\nQuébec (Québec)  G1R 1A1",
    )

    assert body["received_on"] == "2026-12-01"
    assert body["channel"] == "mail"
    assert body["due_date"] == "2027-01-06"
    assert body["clocks"][0]["elapsed"] == 13
    dossier = Dossier.objects.get(number=body["number"])
    assert dossier.applicant_email == "ana.souza@example.org"
    assert dossier.postal_address == "12, rue des Érables\nQuébec (Québec)  G1R 1A1"


def test_filing_records_the_token_as_actor(
    api: Client, token_and_secret: tuple[ApiToken, str], service_account: User
) -> None:
    body = file_one(api)
    event = Dossier.objects.get(number=body["number"]).events.get()
    assert event.actor == service_account
    assert event.actor_label == "API : Système des études"


# --- Status and history -----------------------------------------------------------------------


def test_status_computes_the_clocks_as_of_today(api: Client) -> None:
    number = file_one(api)["number"]

    with time_machine.travel("2027-01-26 09:00 -05:00", tick=False):
        response = api.get(f"/api/dossiers/{number}")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == number
    assert body["state"] == "received"
    assert body["due_date"] == "2027-01-25"
    assert body["clocks"] == [
        {
            "commitment": "caq-etudes-decision",
            "label": "Décision à la suite d'une demande de certificat d'acceptation du Québec "
            "pour études",
            "target": 20,
            "unit": "business_days",
            "started_on": TODAY,
            "stopped_on": None,
            "due_date": "2027-01-25",
            "status": "overdue",
            "elapsed": 21,
            "suspended_days": 0,
            "outcome": None,
        }
    ]


def test_status_follows_each_action_and_calendar_change(api: Client, service_account: User) -> None:
    """The status document is kept per dossier version, day and calendar: any of them
    changing gives a fresh one."""
    from guichet.calendars.services import closure_day_record
    from guichet.dossiers.services import dossier_request_items

    number = file_one(api)["number"]
    assert api.get(f"/api/dossiers/{number}").json()["due_date"] == "2027-01-25"

    closure_day_record(day=date(2027, 1, 8), name="Fermeture exceptionnelle", user=None, reason="")
    assert api.get(f"/api/dossiers/{number}").json()["clocks"][0]["due_date"] == "2027-01-26"

    dossier_request_items(
        dossier=Dossier.objects.get(number=number), items=["Passeport"], actor=service_account
    )
    body = api.get(f"/api/dossiers/{number}").json()
    assert (body["state"], body["due_date"]) == ("incomplete", None)

    with time_machine.travel("2027-01-04 09:00 -05:00", tick=False):
        assert api.get(f"/api/dossiers/{number}").json()["clocks"][0]["suspended_days"] == 5


def test_events_in_order(api: Client) -> None:
    number = file_one(api)["number"]

    response = api.get(f"/api/dossiers/{number}/events")

    assert response.status_code == 200
    assert response.json() == [
        {
            "seq": 1,
            "kind": "received",
            "kind_label": "Demande reçue",
            "occurred_on": TODAY,
            "recorded_at": "2026-12-18T10:00:00-05:00",
            "actor": "API : Système des études",
            "details": {"channel": "api", "documents": []},
        }
    ]


def test_answers_stay_in_french(api: Client) -> None:
    number = file_one(api)["number"]
    response = api.get(f"/api/dossiers/{number}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["state_label"] == "En traitement"
    assert response["Content-Language"] == "fr"


# --- Refusals: authentication -----------------------------------------------------------------


@pytest.fixture
def revoked(token_and_secret: tuple[ApiToken, str]) -> str:
    token, secret = token_and_secret
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    return secret


@pytest.fixture
def inactive(token_and_secret: tuple[ApiToken, str], service_account: User) -> str:
    User.objects.filter(pk=service_account.pk).update(is_active=False)
    return token_and_secret[1]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer ",
        "Bearer not-a-token",
        "Token {secret}",
        "{secret}",
        "Bearer {revoked}",
        "Bearer {inactive}",
    ],
)
def test_401_without_a_valid_token(
    header: str | None, token_and_secret: tuple[ApiToken, str], request: pytest.FixtureRequest
) -> None:
    values = {"secret": token_and_secret[1]}
    if header and "{revoked}" in header:
        values["revoked"] = request.getfixturevalue("revoked")
    if header and "{inactive}" in header:
        values["inactive"] = request.getfixturevalue("inactive")
    client = Client() if header is None else Client(HTTP_AUTHORIZATION=header.format(**values))
    before = Dossier.objects.count()

    responses = [
        post(client, {"service": "caq-etudiant", "applicant_name": "Ana Souza"}),
        client.get("/api/dossiers/2026-000001"),
        client.get("/api/dossiers/2026-000001/events"),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response.json() == {"detail": AUTH_MESSAGE}
        assert response["WWW-Authenticate"] == "Bearer"
    assert Dossier.objects.count() == before


def test_revoked_token_is_not_marked_used(
    revoked: str, token_and_secret: tuple[ApiToken, str]
) -> None:
    Client(HTTP_AUTHORIZATION=f"Bearer {revoked}").get("/api/dossiers/2026-000001")
    token = token_and_secret[0]
    token.refresh_from_db()
    assert token.last_used_at is None


# --- Refusals: access -------------------------------------------------------------------------


def test_403_for_a_service_of_another_unit(api: Client, work_unit: Unit) -> None:
    before = Dossier.objects.count()

    response = post(api, {"service": "caq-travailleur-temporaire", "applicant_name": "Tran Minh"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Ce jeton ne peut pas déposer de dossier pour le service "
        "« caq-travailleur-temporaire »."
    }
    assert Dossier.objects.count() == before


def test_403_for_a_service_no_unit_owns(api: Client) -> None:
    response = post(api, {"service": "caq-travailleur-temporaire", "applicant_name": "Tran Minh"})
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


def test_409_when_the_service_refuses(api: Client, caq_unit: Unit) -> None:
    UnitService.objects.create(unit=caq_unit, service_code="evaluation-preliminaire")

    response = post(api, {"service": "evaluation-preliminaire", "applicant_name": "Ana Souza"})

    assert response.status_code == 409
    assert response.json()["detail"].endswith("» ne se demande pas par un dossier.")
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("suffix", ["", "/events"])
def test_404_for_a_dossier_of_another_unit_as_for_an_unknown_number(
    api: Client, work_dossier: Dossier, suffix: str
) -> None:
    other = api.get(f"/api/dossiers/{work_dossier.number}{suffix}")
    unknown = api.get(f"/api/dossiers/2026-999999{suffix}")

    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json() == {"detail": "Dossier introuvable"}


def test_404_for_a_dossier_filed_under_the_service_account_itself(
    api: Client, service_account: User, micc: Declaration
) -> None:
    """Nobody works on their own dossier, a system no more than a person."""
    own = dossier_file(
        service=micc.services.get(code="caq-etudiant"),
        applicant=Applicant("Système études"),
        actor=service_account,
        client=service_account,
    )

    response = api.get(f"/api/dossiers/{own.number}")

    assert response.status_code == 404
    assert not AccessLog.objects.filter(subject_number=own.number, action="read").exists()


def test_the_getters_plain_statement_reads_what_the_orm_reads(
    api: Client, service_account: User, work_dossier: Dossier, micc: Declaration
) -> None:
    """The staff and system getters read a dossier with a statement of their own (for speed):
    the same dossiers as `dossiers_of_staff`, the same values as the ORM, the same access-log
    row from either getter, and the same status document as from an ORM-loaded dossier."""
    from guichet.dossiers.api import dossier_out
    from guichet.dossiers.selectors import (
        DOSSIER_COLUMNS,
        dossier_get_for_staff,
        dossier_get_for_system,
        dossiers_of_staff,
    )
    from guichet.dossiers.services import dossier_assign

    number = file_one(api, postal_address="12 rue des Érables\nQuébec")["number"]
    dossier_assign(
        dossier=Dossier.objects.get(number=number), agent=service_account, actor=service_account
    )
    own = dossier_file(
        service=micc.services.get(code="caq-etudiant"),
        applicant=Applicant("Système études"),
        actor=service_account,
        client=service_account,
    )
    visible = dossiers_of_staff(service_account)
    for other in (work_dossier.number, own.number, "2026-999999"):
        assert not visible.filter(number=other).exists()
        with pytest.raises(Http404):
            dossier_get_for_system(service_account.pk, other, why="test")
        with pytest.raises(Http404):
            dossier_get_for_staff(service_account, other, why="test")

    fast = dossier_get_for_system(service_account.pk, number, why="test")
    staff = dossier_get_for_staff(service_account, number, why="test")
    orm = visible.select_related("service", "assigned_to").get(number=number)

    for read in (fast, staff):
        assert {f: getattr(read, f) for f in DOSSIER_COLUMNS} == {
            f: getattr(orm, f) for f in DOSSIER_COLUMNS
        }
        assert (read.service, str(read.assigned_to)) == (orm.service, "Système études")
    assert fast.filed_at.tzinfo is not None
    assert fast.applicant_email == ""  # a column read, not a deferred one
    logged = list(
        AccessLog.objects.filter(subject_number=number, why="test").values(
            "actor", "person", "subject_kind", "subject_id", "action", "path"
        )
    )
    assert len(logged) == 2
    assert logged[0] == logged[1]
    assert api.get(f"/api/dossiers/{number}").json() == json.loads(
        dossier_out(orm).model_dump_json()
    )


# --- Refusals: bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"service": "caq-etudiant"},
            "Requête invalide : applicant_name (champ obligatoire).",
        ),
        (
            {},
            "Requête invalide : service (champ obligatoire) ; applicant_name (champ obligatoire).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "   "},
            "Requête invalide : applicant_name (ne peut pas être vide).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": 42},
            "Requête invalide : applicant_name (texte attendu).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "A" * 201},
            "Requête invalide : applicant_name (au plus 200 caractères).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana\x00Souza"},
            "Requête invalide : applicant_name (caractères de contrôle interdits).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "received_on": "18/12/2026"},
            "Requête invalide : received_on (date invalide : format AAAA-MM-JJ attendu).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "received_on": "2026-02-30"},
            "Requête invalide : received_on (date invalide : format AAAA-MM-JJ attendu).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "received_on": 1766016000},
            "Requête invalide : received_on (date invalide : format AAAA-MM-JJ attendu).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "received_on": "2026-12-19"},
            "Requête invalide : received_on (la date de réception ne peut pas être dans le "
            "futur (aujourd'hui : 2026-12-18)).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "channel": "fax"},
            "Requête invalide : channel (valeur non permise (valeurs permises : 'api', 'mail' "
            "ou 'in_person')).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "channel": "online"},
            "Requête invalide : channel (valeur non permise (valeurs permises : 'api', 'mail' "
            "ou 'in_person')).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "applicant_email": "ana@"},
            "Requête invalide : applicant_email (adresse courriel invalide).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "recieved_on": "2026-12-01"},
            "Requête invalide : recieved_on (champ inconnu).",
        ),
        (
            {"service": "passeport-express", "applicant_name": "Ana"},
            "Requête invalide : service (aucun service « passeport-express » n'est offert le "
            "2026-12-18).",
        ),
        (
            {"service": "caq-etudiant", "applicant_name": "Ana", "received_on": "2020-01-06"},
            "Requête invalide : service (aucun service « caq-etudiant » n'est offert le "
            "2020-01-06).",
        ),
        (
            [{"service": "caq-etudiant", "applicant_name": "Ana"}],
            "Requête invalide : corps de la requête : un objet JSON est attendu.",
        ),
        (
            "",
            "Requête invalide : corps de la requête : champ obligatoire.",
        ),
    ],
)
def test_422_names_the_fields_in_french(api: Client, body: Any, detail: str) -> None:
    response = post(api, body)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("body", ['{"service": "caq-etudiant",', "service=caq-etudiant", b"\xff"])
def test_malformed_json_is_a_400(api: Client, body: str | bytes) -> None:
    response = post(api, body)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Le corps de la requête n'est pas un document JSON valide."
    }
    assert Dossier.objects.count() == 0


def test_unknown_path_and_method_answer_in_json(api: Client) -> None:
    unknown = api.get("/api/guichets")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Adresse inconnue dans l'API."}

    wrong_method = api.delete("/api/dossiers")
    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "POST"
    assert wrong_method.json() == {"detail": "Méthode DELETE non permise à cette adresse."}
    assert Dossier.objects.count() == 0


# --- Documentation ----------------------------------------------------------------------------


def test_openapi_document_lists_the_three_paths(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Guichet API"
    assert schema["info"]["version"] == "1"
    assert sorted(schema["paths"]) == [
        "/api/dossiers",
        "/api/dossiers/{number}",
        "/api/dossiers/{number}/events",
    ]
    assert list(schema["paths"]["/api/dossiers"]) == ["post"]
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }


def test_interactive_docs_are_served(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


# --- Administration ---------------------------------------------------------------------------


def test_admin_creates_a_token_and_shows_its_secret_once(service_account: User) -> None:
    admin = User.objects.create_superuser("admin@guichet.example", "x-Admin-pass-42")
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"name": "Système des études", "user": service_account.pk},
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    [message] = [
        str(m) for m in response.context["messages"] if str(m).startswith("Secret du jeton")
    ]
    secret = message.split(" : ", 1)[1].split(" — ", 1)[0]
    assert token.key_hash == ApiToken.hash_secret(secret)
    assert token.prefix == secret[:8]
    assert secret not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/dossiers/x").status_code == 404


def test_admin_revokes_tokens(token_and_secret: tuple[ApiToken, str]) -> None:
    admin = User.objects.create_superuser("admin@guichet.example", "x-Admin-pass-42")
    client = Client()
    client.force_login(admin)
    token, secret = token_and_secret

    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at == timezone.now()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/dossiers/x").status_code == 401
