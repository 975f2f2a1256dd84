"""The signed-in person is read in one query with what the middleware asks of them on every
page (guichet/accounts/backends.py): the answers are those of the separate reads, and they are
read again on every request, so a change made elsewhere shows on the next page."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.accounts import language, mfa, totp
from guichet.accounts.backends import AccountBackend
from guichet.accounts.models import (
    GlobalRole,
    LanguageBasis,
    Membership,
    RoleGrant,
    TotpDevice,
    Unit,
    User,
    is_staff_request_user,
    units_of_request_user,
)
from guichet.accounts.services import language_of_service_declare, language_of_service_end
from guichet.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db
DAY = "2027-03-01 10:00 -05:00"
VERIFY = "/accounts/verification/"
ENROL = "/accounts/double-authentification/"
CONFIRMED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _staff_must_use_a_second_factor(settings: Any) -> None:
    settings.GUICHET_STAFF_MFA_REQUIRED = True


def read(user: User) -> User:
    found = AccountBackend().get_user(user.pk)
    assert isinstance(found, User)
    return found


def facts(user: User) -> tuple[mfa.SecondFactor, bool, list[str], str | None]:
    return (
        mfa.second_factor_state_on_arrival(user),
        is_staff_request_user(user),
        [u.code for u in units_of_request_user(user)],
        getattr(language.current_declaration_on_arrival(user), "language", None),
    )


def test_a_client_is_read_in_one_query_and_the_middleware_asks_nothing_more(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        owner = read(personas.owner)
    with django_assert_num_queries(0):
        assert facts(owner) == (mfa.SecondFactor.NOT_REQUIRED, False, [], None)


def test_the_answers_are_those_of_the_separate_reads(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    TotpDevice.objects.create(user=personas.owner, secret=totp.new_secret(), confirmed_at=CONFIRMED)
    # An application never confirmed is no second factor.
    TotpDevice.objects.create(user=personas.other_client, secret=totp.new_secret())
    with time_machine.travel(DAY, tick=False):
        declared = User.objects.create_user("declaree@example.org", PASSWORD)
        language_of_service_declare(
            user=declared,
            actor=declared,
            language="en",
            basis=LanguageBasis.RECENT_ARRIVAL,
            arrived_on=date(2027, 1, 15),
        )
        ended = User.objects.create_user("terminee@example.org", PASSWORD)
        language_of_service_declare(
            user=ended,
            actor=ended,
            language="es",
            basis=LanguageBasis.RECENT_ARRIVAL,
            arrived_on=date(2027, 1, 15),
        )
        language_of_service_end(user=ended, actor=ended)
    director = User.objects.create_user("direction@example.org", PASSWORD)
    RoleGrant.objects.create(user=director, role=GlobalRole.ADMINISTRATOR)
    assert facts(read(personas.owner)) == (mfa.SecondFactor.VERIFY, False, [], None)
    assert facts(read(personas.other_client)) == (mfa.SecondFactor.NOT_REQUIRED, False, [], None)
    assert facts(read(ended)) == (mfa.SecondFactor.NOT_REQUIRED, False, [], None)
    assert facts(read(director)) == (mfa.SecondFactor.ENROL, True, [], None)
    # The units of a member are read when asked, once; a declaration in force too.
    agent = read(personas.agent)
    with django_assert_num_queries(1):
        assert facts(agent) == (mfa.SecondFactor.ENROL, True, ["caq"], None)
    with django_assert_num_queries(0):
        assert [u.code for u in units_of_request_user(agent)] == ["caq"]
    declared = read(declared)
    with django_assert_num_queries(1):
        assert facts(declared)[3] == "en"


def test_a_change_made_elsewhere_shows_on_the_next_page(personas: Personas) -> None:
    client = Client()
    assert client.login(username=personas.owner.email, password=PASSWORD)
    assert client.get("/rendez-vous/").status_code == 200
    # Another session confirms an application: this one must now prove it.
    TotpDevice.objects.create(user=personas.owner, secret=totp.new_secret(), confirmed_at=CONFIRMED)
    assert client.get("/rendez-vous/")["Location"] == f"{VERIFY}?next=/rendez-vous/"
    other = Client()
    assert other.login(username=personas.other_client.email, password=PASSWORD)
    assert other.get("/rendez-vous/").status_code == 200
    # Made a member of a unit: staff, who must enrol an application first.
    Membership.objects.create(
        user=personas.other_client, unit=Unit.objects.get(code="caq"), role="agent"
    )
    assert other.get("/rendez-vous/")["Location"] == f"{ENROL}?next=/rendez-vous/"


def test_a_user_read_otherwise_is_asked_the_database(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    TotpDevice.objects.create(user=personas.owner, secret=totp.new_secret(), confirmed_at=CONFIRMED)
    owner = User.objects.get(pk=personas.owner.pk)
    with django_assert_num_queries(1):
        assert mfa.second_factor_state_on_arrival(owner) is mfa.SecondFactor.VERIFY
