"""The cost of one filing through the API, in queries: it is the API's hot write path
(docs/scale.md), so the count is pinned and a new query per filing shows here."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guichet.accounts.models import ApiToken, Membership, StaffRole, Unit, UnitService, User
from guichet.accounts.services import api_token_create
from guichet.catalogue.models import Declaration
from guichet.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(micc: Declaration, quebec_calendar: None) -> Client:
    unit = Unit.objects.create(code="caq", name="Direction des CAQ")
    UnitService.objects.create(unit=unit, service_code="caq-etudiant")
    user = User.objects.create_user("systeme-etudes@guichet.example", full_name="Système études")
    Membership.objects.create(user=user, unit=unit, role=StaffRole.AGENT)
    _token, secret = api_token_create(name="Système des études", user=user, actor=None)
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def file_one(api: Client, name: str) -> int:
    response = api.post(
        "/api/dossiers",
        data=json.dumps({"service": "caq-etudiant", "applicant_name": name}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.status_code


def test_one_api_filing_runs_a_fixed_number_of_queries(api: Client) -> None:
    file_one(api, "Ana Souza")  # the first call records the token's use and warms the caches
    with CaptureQueriesContext(connection) as ctx:
        file_one(api, "Tran Minh")
    assert Dossier.objects.count() == 2
    # The token; the service in force with its unit and the account's membership (one
    # statement); [the filing's transaction] the dossier, its received event, the access-log
    # entry of the change (chain head, row and head moved); the calendar's stamp; the clock
    # rows; the number and clock caches; the access-log entry of the answer (2) [commit].
    # 13 statements on PostgreSQL, 15 on SQLite (where moving a chain's head is a statement
    # of its own); the test's transaction turns the view's BEGIN/COMMIT into a savepoint
    # pair, counted here. Before
    # docs/scale.md's cuts: 24 statements on SQLite, 22 on PostgreSQL, two commits, and the
    # service's own savepoint pair.
    assert len(ctx.captured_queries) == (13 if connection.vendor == "postgresql" else 15)
    assert ApiToken.objects.count() == 1
