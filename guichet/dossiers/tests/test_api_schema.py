"""The OpenAPI document says what the API enforces: every input field carries the constraints
its validators apply (length, not blank, no control character, the day's format, the
dossier number's format), an input the document refuses is refused by the API (422, or 404
for a dossier number) and one it accepts is accepted.

The document's patterns are JSON Schema's (ECMA-262) regexes; they are written with explicit
character classes, which Python's `re` reads the same way, so that they can be checked here."""

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from guichet.accounts.models import Membership, StaffRole, Unit, UnitService, User
from guichet.accounts.services import api_token_create
from guichet.api import api as guichet_api  # first: it loads guichet.dossiers.api
from guichet.catalogue.models import Declaration
from guichet.dossiers.api import (
    ADDRESS_PATTERN,
    BLANK_PATTERN,
    ISO_DAY_PATTERN,
    ONE_LINE_PATTERN,
    SPACE,
    DossierIn,
)
from guichet.dossiers.models import Dossier

NUMBER_PATTERN = "^[0-9]{4}-[0-9]{6,}$"


@functools.cache
def openapi() -> dict[str, Any]:
    return guichet_api.get_openapi_schema()


@pytest.fixture
def document() -> dict[str, Any]:
    return openapi()


def properties(document: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = document["components"]["schemas"]["DossierIn"]["properties"]
    return props


CONSTRAINTS = ("type", "minLength", "maxLength", "pattern", "anyOf", "enum", "default")


def test_the_document_declares_every_input_constraint(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["DossierIn"]
    assert (schema["required"], schema["additionalProperties"]) == (
        ["service", "applicant_name"],
        False,
    )
    declared = {
        name: {k: v for k, v in prop.items() if k in CONSTRAINTS}
        for name, prop in properties(document).items()
    }
    assert declared == {
        "service": {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
            "pattern": ONE_LINE_PATTERN,
        },
        "applicant_name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": ONE_LINE_PATTERN,
        },
        "applicant_email": {
            "type": "string",
            "maxLength": 254,
            "default": "",
            "anyOf": [{"pattern": BLANK_PATTERN}, {"format": "email"}],
        },
        "postal_address": {
            "type": "string",
            "maxLength": 1000,
            "default": "",
            "pattern": ADDRESS_PATTERN,
        },
        "received_on": {
            "anyOf": [{"format": "date", "type": "string"}, {"type": "null"}],
            "pattern": ISO_DAY_PATTERN,
        },
        "channel": {"type": "string", "enum": ["api", "mail", "in_person"], "default": "api"},
    }
    for path in ("/api/dossiers/{number}", "/api/dossiers/{number}/events"):
        [parameter] = document["paths"][path]["get"]["parameters"]
        assert parameter["in"] == "path"
        assert {k: v for k, v in parameter["schema"].items() if k in CONSTRAINTS} == {
            "type": "string",
            "maxLength": 20,
            "pattern": NUMBER_PATTERN,
        }


def test_space_is_what_python_strips() -> None:
    """The patterns' SPACE class is exactly str.isspace (what str.strip() removes)."""
    space = re.compile(f"[{SPACE}]")
    differ = [c for c in range(0x110000) if bool(space.match(chr(c))) != chr(c).isspace()]
    assert differ == []


# --- The schema and the validators agree --------------------------------------------------------


def schema_accepts(prop: dict[str, Any], value: str) -> bool:
    """A JSON Schema check of a string, for the keywords the document uses (no format)."""
    if "minLength" in prop and len(value) < prop["minLength"]:
        return False
    if "maxLength" in prop and len(value) > prop["maxLength"]:
        return False
    # JSON Schema's pattern is not anchored (search); ours carry ^ and $ themselves.
    return "pattern" not in prop or re.search(prop["pattern"], value) is not None


def api_accepts(field: str, value: str) -> bool:
    body = {"service": "caq-etudiant", "applicant_name": "Ana", field: value}
    try:
        DossierIn.model_validate(body)
    except ValidationError:
        return False
    return True


# Characters where the rules differ: spaces of every kind (Python's and ECMA-262's), control
# characters, line breaks, and ordinary letters.
TRICKY = (
    "\x00\x01\x07\t\n\x0b\x0c\r\x1c\x1f \x7f\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029"
    "\u202f\u205f\u3000\ufeffaÉ-'."
)
texts = st.text(alphabet=st.sampled_from(TRICKY), max_size=8) | st.text(max_size=8)


@settings(max_examples=400, deadline=None)
@given(value=texts)
def test_names_and_codes_schema_and_validators_agree(value: str) -> None:
    props = properties(openapi())
    for field in ("service", "applicant_name", "postal_address"):
        assert schema_accepts(props[field], value) == api_accepts(field, value), (field, value)


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("service", "", False),  # the finding: the document allowed it, the API refused it
        ("service", " \t\n", False),
        ("service", "caq-etudiant\n", True),  # blanks around are stripped
        ("service", "caq\x00etudiant", False),
        ("service", "s" * 60, True),
        ("service", "s" * 61, False),
        ("applicant_name", "", False),
        ("applicant_name", "\u3000", False),  # an ideographic space is a space
        ("applicant_name", "\ufeff", True),  # a byte-order mark is not (nor a control)
        ("applicant_name", "Ana\u2028Souza", True),  # a line separator inside: not a control
        ("applicant_name", "A" * 200, True),
        ("applicant_name", "A" * 201, False),
        ("postal_address", "", True),
        ("postal_address", "100, rue de l'Exemple\r\nMontréal", True),
        ("postal_address", "100\true", False),
        ("postal_address", "a" * 1001, False),
    ],
)
def test_cases_where_schema_and_validators_agree(field: str, value: str, accepted: bool) -> None:
    prop = properties(openapi())[field]
    assert (schema_accepts(prop, value), api_accepts(field, value)) == (accepted, accepted)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2026-12-01", True),
        ("2026-12-01T00:00:00", False),
        ("2026-12-01 ", False),
        ("20261201", False),
        ("2026-2-1", False),
    ],
)
def test_the_day_pattern_and_the_validator_agree(value: str, accepted: bool) -> None:
    assert (re.search(ISO_DAY_PATTERN, value) is not None, api_accepts("received_on", value)) == (
        accepted,
        accepted,
    )


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("", True), ("   ", True), ("ana@example.org", True), ("ana@", False), ("ana", False)],
)
def test_an_email_is_valid_or_blank(value: str, accepted: bool) -> None:
    blank = re.search(BLANK_PATTERN, value) is not None
    looks_like_an_address = re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) is not None
    assert (blank or looks_like_an_address, api_accepts("applicant_email", value)) == (
        accepted,
        accepted,
    )


# --- Through HTTP -------------------------------------------------------------------------------


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        yield


@pytest.fixture
def api(micc: Declaration, quebec_calendar: None, frozen: None) -> Client:
    unit = Unit.objects.create(code="caq", name="Direction des CAQ")
    UnitService.objects.create(unit=unit, service_code="caq-etudiant")
    user = User.objects.create_user("systeme-etudes@guichet.example", full_name="Système études")
    Membership.objects.create(user=user, unit=unit, role=StaffRole.AGENT)
    _token, secret = api_token_create(name="Système des études", user=user, actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(api: Client, **fields: Any) -> Any:
    body = {"service": "caq-etudiant", "applicant_name": "Ana Souza", **fields}
    return api.post("/api/dossiers", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status", "detail"),
    [
        ({"service": ""}, 422, "Requête invalide : service (ne peut pas être vide)."),
        ({"applicant_name": ""}, 422, "Requête invalide : applicant_name (ne peut pas être vide)."),
        (
            {"applicant_name": "Ana\x07"},
            422,
            "Requête invalide : applicant_name (caractères de contrôle interdits).",
        ),
        (
            {"postal_address": "100\true"},
            422,
            "Requête invalide : postal_address (caractères de contrôle interdits).",
        ),
        (
            {"received_on": "2026-12-01T08:00:00"},
            422,
            "Requête invalide : received_on (date invalide : format AAAA-MM-JJ attendu).",
        ),
        ({"applicant_name": " Ana Souza\n"}, 201, None),
        ({"postal_address": "100, rue de l'Exemple\r\nMontréal", "received_on": None}, 201, None),
        ({"applicant_email": "   ", "received_on": "2026-12-01", "channel": "mail"}, 201, None),
    ],
)
def test_the_api_answers_as_the_document_says(
    api: Client, document: dict[str, Any], fields: dict[str, Any], status: int, detail: str | None
) -> None:
    props = properties(document)
    declared_ok = all(
        value is None or schema_accepts(props[name], value) for name, value in fields.items()
    )
    assert declared_ok == (status == 201)
    response = post(api, **fields)
    assert response.status_code == status, response.content
    if detail is not None:
        assert response.json() == {"detail": detail}
        assert Dossier.objects.count() == 0
    else:
        assert Dossier.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["2026-12", "x" * 21, "2026-000001x", "ABCD-000001"])
def test_a_number_the_document_refuses_is_no_dossier(api: Client, number: str) -> None:
    assert re.search(NUMBER_PATTERN, number) is None
    for url in (f"/api/dossiers/{number}", f"/api/dossiers/{number}/events"):
        response = api.get(url)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "Dossier introuvable"},
        )
