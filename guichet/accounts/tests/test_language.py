"""The language of service: its rule, the changes (services), the client's page, the language
switch, the middleware for visitors, clients and staff, and its end on moving to Québec."""

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from guichet.accounts import language
from guichet.accounts.models import (
    LanguageBasis,
    LanguageChange,
    LanguageEndReason,
    LanguageOfService,
    RecordedAs,
    User,
)
from guichet.accounts.services import (
    LanguageError,
    language_of_service_declare,
    language_of_service_end,
)
from guichet.audit.models import AccessLog, SubjectKind
from guichet.dossiers.models import EventKind
from guichet.testing import PASSWORD, Personas, make_dossier

pytestmark = pytest.mark.django_db

# Arrived on 15 January 2027: served in English up to 14 July 2027.
ARRIVED = date(2027, 1, 15)
DAY = "2027-03-01 10:00 -05:00"


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def html_lang(response: Any) -> str:
    found = re.search(r'<html lang="([a-z-]+)"', response.content.decode())
    assert found, response.content[:200]
    return found.group(1)


def declare_english(user: User) -> LanguageOfService:
    return language_of_service_declare(
        user=user,
        actor=user,
        language="en",
        basis=LanguageBasis.RECENT_ARRIVAL,
        arrived_on=ARRIVED,
    )


# --- The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 15), 6, date(2027, 7, 15)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 10, 10), 6, date(2027, 4, 10)),
    ],
)
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert language.add_months(day, months) == expected


def test_six_months_after_arrival_the_basis_has_ended() -> None:
    assert language.recent_arrival_valid_until(ARRIVED) == date(2027, 7, 14)


@time_machine.travel(DAY, tick=False)
def test_a_valid_basis_gives_its_language_and_french_comes_first(personas: Personas) -> None:
    owner = personas.owner
    assert language.language_of_service(owner, date(2027, 3, 1)) == "fr"  # nothing by default
    record = declare_english(owner)
    assert record.valid_until == date(2027, 7, 14)
    assert record.recorded_as == RecordedAs.CLIENT
    assert language.language_of_service(owner, date(2027, 7, 14)) == "en"
    assert language.language_of_service(owner, date(2027, 7, 15)) == "fr"
    assert language.letter_languages(owner, date(2027, 3, 1)) == ("fr", "en")
    assert language.letter_languages(owner, date(2027, 7, 15)) == ("fr",)
    assert language.letter_languages(None, date(2027, 3, 1)) == ("fr",)


@time_machine.travel(DAY, tick=False)
def test_staff_are_served_in_french_whatever_is_recorded(personas: Personas) -> None:
    agent = personas.agent
    with pytest.raises(LanguageError, match="personnel"):
        declare_english(agent)
    # Even a record that reached the table another way gives staff nothing else than French.
    LanguageOfService.objects.create(
        user=agent,
        change=LanguageChange.DECLARED,
        language="en",
        basis=LanguageBasis.OUTSIDE_QUEBEC,
        outside_quebec=True,
        recorded_as=RecordedAs.AGENT,
    )
    assert language.language_of_service(agent, date(2027, 3, 1)) == "fr"
    client = signed_in(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert html_lang(client.get("/")) == "fr"


# --- The changes ----------------------------------------------------------------------------


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"basis": LanguageBasis.RECENT_ARRIVAL}, "date de votre arrivée"),
        (
            {"basis": LanguageBasis.RECENT_ARRIVAL, "arrived_on": date(2027, 3, 2)},
            "futur",
        ),
        (
            {"basis": LanguageBasis.RECENT_ARRIVAL, "arrived_on": date(2026, 8, 31)},
            "Plus de six mois",
        ),
        ({"basis": LanguageBasis.OUTSIDE_QUEBEC}, "hors du Québec"),
        ({"basis": LanguageBasis.HEALTH_SAFETY_JUSTICE, "justification": "  "}, "Expliquez"),
        (
            {
                "basis": LanguageBasis.ENGLISH_INSTRUCTION,
                "justification": "Certificat d'admissibilité",
                "valid_until": date(2028, 1, 1),
            },
            "fixée par le personnel",
        ),
        ({"basis": "nationality"}, "motif"),
        (
            {"basis": LanguageBasis.OUTSIDE_QUEBEC, "outside_quebec": True, "language": "de"},
            "anglais",
        ),
    ],
)
def test_a_declaration_without_its_facts_is_refused_and_changes_nothing(
    personas: Personas, fields: dict[str, Any], message: str
) -> None:
    owner = personas.owner
    with pytest.raises(LanguageError, match=message):
        language_of_service_declare(user=owner, actor=owner, **{"language": "en", **fields})
    assert not LanguageOfService.objects.exists()
    assert not AccessLog.objects.filter(subject_kind=SubjectKind.PERSON).exists()


@time_machine.travel(DAY, tick=False)
def test_every_change_is_a_new_row_and_is_access_logged(personas: Personas) -> None:
    owner, agent = personas.owner, personas.agent
    declare_english(owner)
    language_of_service_declare(
        user=owner,
        actor=agent,
        language="es",
        basis=LanguageBasis.HEALTH_SAFETY_JUSTICE,
        justification="Suivi médical en cours",
        valid_until=date(2027, 9, 30),
    )
    language_of_service_end(user=owner, actor=owner)
    with pytest.raises(LanguageError, match="Aucune langue"):
        language_of_service_end(user=owner, actor=owner)
    rows = list(LanguageOfService.objects.filter(user=owner).order_by("id"))
    assert [(r.change, r.language, r.recorded_as, r.end_reason) for r in rows] == [
        ("declared", "en", "client", ""),
        ("declared", "es", "agent", ""),
        ("ended", "", "client", "person"),
    ]
    assert rows[1].recorded_by == agent and rows[1].valid_until == date(2027, 9, 30)
    with pytest.raises(ValueError, match="ne se modifie pas"):
        rows[0].save()
    logged = AccessLog.objects.filter(subject_kind=SubjectKind.PERSON, person=owner)
    assert [(e.actor, e.action) for e in logged.order_by("id")] == [
        (owner, "change"),
        (agent, "change"),
        (owner, "change"),
    ]
    assert language.language_of_service(owner, date(2027, 3, 1)) == "fr"


# --- Visitors -------------------------------------------------------------------------------


def test_visitors_get_french_by_default_whatever_their_browser_says(micc: Any) -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_a_visitor_may_choose_english_or_spanish_for_public_pages(micc: Any) -> None:
    client = Client()
    response = client.post("/accounts/langue/affichage/", {"language": "es", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert html_lang(client.get("/")) == "es"
    client.post("/accounts/langue/affichage/", {"language": "fr", "next": "/"})
    assert html_lang(client.get("/")) == "fr"


def test_an_unknown_language_or_an_outside_address_changes_nothing(micc: Any) -> None:
    client = Client()
    response = client.post(
        "/accounts/langue/affichage/", {"language": "de", "next": "https://ailleurs.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    page = client.get("/").content.decode()
    assert "Cette langue n&#x27;est pas offerte" in page
    assert client.get("/accounts/langue/affichage/").status_code == 405


# --- Signed-in clients ----------------------------------------------------------------------


@time_machine.travel(DAY, tick=False)
def test_a_client_without_a_basis_is_served_in_french_even_with_a_cookie(
    personas: Personas,
) -> None:
    client = signed_in(personas.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert html_lang(client.get("/dossiers/")) == "fr"
    client.post("/accounts/langue/affichage/", {"language": "en", "next": "/dossiers/"})
    page = client.get("/dossiers/")
    assert html_lang(page) == "fr"
    assert "Une autre langue s&#x27;ajoute au français" in page.content.decode()
    assert 'lang="en"' not in page.content.decode()  # no switch to offer


@time_machine.travel(DAY, tick=False)
def test_a_client_with_a_basis_gets_its_language_and_may_prefer_french(
    personas: Personas,
) -> None:
    declare_english(personas.owner)
    client = signed_in(personas.owner)
    page = client.get("/dossiers/")
    assert html_lang(page) == "en"
    assert page["Content-Language"] == "en"
    assert '<button type="submit" name="language" value="fr" lang="fr"' in page.content.decode()
    client.post("/accounts/langue/affichage/", {"language": "fr", "next": "/dossiers/"})
    assert html_lang(client.get("/dossiers/")) == "fr"
    client.post("/accounts/langue/affichage/", {"language": "es", "next": "/dossiers/"})
    assert html_lang(client.get("/dossiers/")) == "fr"  # Spanish is not their basis
    client.post("/accounts/langue/affichage/", {"language": "en", "next": "/dossiers/"})
    assert html_lang(client.get("/dossiers/")) == "en"


def test_when_the_basis_expires_the_next_page_is_french_and_says_why_once(
    personas: Personas,
) -> None:
    with time_machine.travel(DAY, tick=False):
        declare_english(personas.owner)
        client = signed_in(personas.owner)
        assert html_lang(client.get("/dossiers/")) == "en"
    with time_machine.travel("2027-07-15 09:00 -04:00", tick=False):
        client = signed_in(personas.owner)  # sessions end after 30 minutes
        first = client.get("/dossiers/")
        assert html_lang(first) == "fr"
        assert "était valide jusqu&#x27;au 14 juillet 2027" in first.content.decode()
        again = client.get("/dossiers/")
        assert html_lang(again) == "fr"
        assert "était valide jusqu" not in again.content.decode()
    last = LanguageOfService.objects.filter(user=personas.owner).latest("id")
    assert (last.change, last.end_reason, last.recorded_as) == ("ended", "expired", "system")


# --- The client's page ----------------------------------------------------------------------


@time_machine.travel(DAY, tick=False)
def test_the_client_declares_sees_and_ends_a_language_of_service(personas: Personas) -> None:
    client = signed_in(personas.owner)
    page = client.get("/accounts/langue/")
    assert page.status_code == 200
    assert "Aucune autre langue que le français" in page.content.decode()
    response = client.post(
        "/accounts/langue/",
        {"language": "en", "basis": "recent_arrival", "arrived_on": "2027-01-15"},
    )
    assert response.status_code == 302
    page = client.get("/accounts/langue/")
    assert html_lang(page) == "en"
    record = LanguageOfService.objects.get(user=personas.owner)
    assert (record.language, record.arrived_on, record.valid_until) == (
        "en",
        ARRIVED,
        date(2027, 7, 14),
    )
    response = client.post("/accounts/langue/fin/")
    assert response.status_code == 302
    assert html_lang(client.get("/accounts/langue/")) == "fr"
    assert LanguageOfService.objects.filter(user=personas.owner).count() == 2


@time_machine.travel(DAY, tick=False)
def test_bad_input_on_the_client_page_says_why_in_french_and_changes_nothing(
    personas: Personas,
) -> None:
    client = signed_in(personas.owner)
    response = client.post("/accounts/langue/", {"language": "en", "basis": "recent_arrival"})
    assert response.status_code == 400
    assert "Indiquez la date de votre arrivée au Québec." in response.content.decode()
    response = client.post(
        "/accounts/langue/",
        {"language": "en", "basis": "recent_arrival", "arrived_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "Plus de six mois se sont écoulés" in response.content.decode()
    response = client.post("/accounts/langue/fin/")
    assert response.status_code == 302
    assert not LanguageOfService.objects.exists()


# --- Staff, from the dossier page -----------------------------------------------------------


@time_machine.travel(DAY, tick=False)
def test_an_agent_records_and_ends_the_clients_language_from_the_dossier(
    personas: Personas,
) -> None:
    dossier = make_dossier(personas)
    agent = signed_in(personas.agent)
    url = f"/bureau/dossiers/{dossier.number}/langue-service/"
    fields = {
        "language-language": "es",
        "language-basis": "health_safety_justice",
        "language-justification": "Audience sur une question de santé",
    }
    refused = agent.post(url, fields)
    assert refused.status_code == 400
    assert "Indiquez jusqu&#x27;à quand ce motif est valide." in refused.content.decode()
    assert not LanguageOfService.objects.exists()
    assert agent.post(url, {**fields, "language-valid_until": "2027-06-30"}).status_code == 302
    record = LanguageOfService.objects.get()
    assert (record.user, record.recorded_by, record.recorded_as, record.valid_until) == (
        personas.owner,
        personas.agent,
        RecordedAs.AGENT,
        date(2027, 6, 30),
    )
    page = agent.get(f"/bureau/dossiers/{dossier.number}/")
    assert html_lang(page) == "fr"
    assert "Espagnol, en plus du français" in page.content.decode()
    other = signed_in(personas.other_agent)
    assert (
        other.post(f"/bureau/dossiers/{dossier.number}/langue-service-fin/", {}).status_code == 404
    )
    response = agent.post(
        f"/bureau/dossiers/{dossier.number}/langue-service-fin/",
        {"confirm-version": dossier.version},
    )
    assert response.status_code == 302
    last = LanguageOfService.objects.latest("id")
    assert (last.change, last.end_reason, last.recorded_by) == ("ended", "staff", personas.agent)


# --- A change of address to Québec ----------------------------------------------------------


@time_machine.travel(DAY, tick=False)
def test_moving_to_quebec_ends_the_basis_of_living_outside_quebec(personas: Personas) -> None:
    owner = personas.owner
    dossier = make_dossier(personas)
    language_of_service_declare(
        user=owner,
        actor=owner,
        language="en",
        basis=LanguageBasis.OUTSIDE_QUEBEC,
        outside_quebec=True,
    )
    client = signed_in(owner)
    url = f"/dossiers/{dossier.number}/changement/"
    fields = {"version": dossier.version, "kind": "address_changed", "text": "1 rue Neuve"}
    refused = client.post(url, fields)
    assert refused.status_code == 400
    assert not dossier.events.filter(kind=EventKind.ADDRESS_CHANGED).exists()
    assert client.post(url, {**fields, "in_quebec": "non"}).status_code == 302
    assert language.language_of_service(owner, date(2027, 3, 1)) == "en"
    dossier.refresh_from_db()
    fields["version"] = dossier.version
    assert client.post(url, {**fields, "in_quebec": "oui"}).status_code == 302
    assert language.language_of_service(owner, date(2027, 3, 1)) == "fr"
    last = LanguageOfService.objects.latest("id")
    assert (last.end_reason, last.recorded_by) == (LanguageEndReason.MOVED_TO_QUEBEC, owner)
