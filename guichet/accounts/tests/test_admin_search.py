"""The Django admin's search box, on the lists that search e-mail addresses and names (accounts,
API tokens, authenticator applications, sign-ups, consultants): sent with POST, it leaves
`?recherche=<reference>` in the address instead of `?q=<terms>`, and every page, sorting,
filter, action and the way back from an object keeps the search without the terms."""

import re
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from guichet.accounts.models import ApiToken, User
from guichet.accounts.services import api_token_create
from guichet.testing import addresses, assert_no_email_in

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
TOKENS = "/admin/accounts/apitoken/"
REF = re.compile(r"recherche=([A-Za-z0-9_-]{11})")


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("admin@example.org", "x-Secret-9")


@pytest.fixture
def browser(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def people(db: None) -> list[User]:
    return [
        User.objects.create_user(f"camille.{i}@exemple.test", full_name=f"Camille Essai {i}")
        for i in range(3)
    ] + [User.objects.create_user("dominique@autre.test", full_name="Dominique Autre")]


def search(client: Client, url: str, terms: str) -> Any:
    response = client.post(url, {"q": terms, "_chercher": "1"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response


def emails(response: Any) -> list[str]:
    return sorted(u.email for u in response.context["cl"].result_list)


def test_the_search_is_sent_with_post_and_found_by_reference(
    browser: Client, people: list[User]
) -> None:
    page = browser.get(USERS)
    html = page.content.decode()
    assert '<form id="changelist-search" method="post" role="search">' in html
    assert '<input type="hidden" name="_chercher" value="1">' in html
    assert 'name="csrfmiddlewaretoken"' in html

    sent = search(browser, USERS, "dominique@autre.test")
    assert REF.fullmatch(sent["Location"].removeprefix(f"{USERS}?"))
    found = browser.get(sent["Location"])
    assert emails(found) == ["dominique@autre.test"]
    assert 'value="dominique@autre.test" id="searchbar"' in found.content.decode()
    assert_no_email_in(addresses(sent) + addresses(found), "dominique@autre.test")
    # By name too (the terms are any text).
    by_name = browser.get(search(browser, USERS, "Camille Essai")["Location"])
    assert emails(by_name) == [f"camille.{i}@exemple.test" for i in range(3)]


def test_pages_sortings_filters_and_the_way_back_keep_the_search(
    browser: Client, people: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin.site._registry[User], "list_per_page", 2)
    sent = search(browser, USERS, "exemple.test")
    ref = REF.search(sent["Location"])
    assert ref is not None
    first = browser.get(sent["Location"])
    assert emails(first) == ["camille.0@exemple.test", "camille.1@exemple.test"]
    html = first.content.decode()
    links = addresses(first)
    assert f"?p=2&amp;recherche={ref[1]}" in html  # the next page
    assert f"?o=2.1&amp;recherche={ref[1]}" in html  # sorting by the second column too
    assert f"?is_staff__exact=1&amp;recherche={ref[1]}" in html  # a filter
    camille = people[0]
    back = f"/admin/accounts/user/{camille.pk}/change/?_changelist_filters=recherche%3D{ref[1]}"
    assert back in [link.replace("&amp;", "&") for link in links]
    assert not [link for link in links if "q=" in link]
    second = browser.get(f"{USERS}?p=2&recherche={ref[1]}")
    assert emails(second) == ["camille.2@exemple.test"]
    assert_no_email_in(addresses(sent) + links + addresses(second), "exemple.test")


def test_an_address_with_q_is_not_a_search(browser: Client, people: list[User]) -> None:
    response = browser.get(USERS, {"q": "dominique@autre.test", "is_active__exact": "1"})
    assert (response.status_code, response["Location"]) == (302, f"{USERS}?is_active__exact=1")


def test_a_reference_of_another_session_sends_back_to_the_list(
    browser: Client, superuser: User, people: list[User]
) -> None:
    url = search(browser, USERS, "dominique@autre.test")["Location"]
    elsewhere = Client()
    elsewhere.force_login(superuser)
    response = elsewhere.get(url)
    assert (response.status_code, response["Location"]) == (302, USERS)
    page = elsewhere.get(USERS)
    assert [str(m) for m in page.context["messages"]] == [
        "Cette recherche n'est plus disponible (elle dure le temps de la session) : refaites-la."
    ]
    assert len(page.context["cl"].result_list) == 5  # everyone: no search


def test_an_empty_search_is_the_whole_list_and_a_popup_stays_one(
    browser: Client, people: list[User]
) -> None:
    assert search(browser, USERS, "  ")["Location"] == USERS
    popup = f"{USERS}?_popup=1&_to_field=id"
    response = browser.post(popup, {"q": "dominique@autre.test", "_chercher": "1"})
    location = response["Location"]
    assert location.startswith(f"{USERS}?_popup=1&_to_field=id&recherche=")
    assert emails(browser.get(location)) == ["dominique@autre.test"]


def test_the_search_needs_the_csrf_token(superuser: User, people: list[User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    response = client.post(USERS, {"q": "dominique@autre.test", "_chercher": "1"})
    assert response.status_code == 403


def test_an_action_acts_on_the_searched_rows_only(browser: Client, people: list[User]) -> None:
    for person in people:
        api_token_create(name=f"Jeton de {person.full_name}", user=person, actor=None)
    url = search(browser, TOKENS, "camille.1@exemple.test")["Location"]
    shown = browser.get(url).context["cl"].result_list
    assert [t.user.email for t in shown] == ["camille.1@exemple.test"]
    # "Select all" across the pages: the action runs on the list's query, the search included.
    response = browser.post(
        url,
        {
            "action": "revoke",
            "select_across": "1",
            "index": "0",
            "_selected_action": [shown[0].pk],
        },
    )
    assert (response.status_code, response["Location"]) == (302, url)
    revoked = ApiToken.objects.filter(revoked_at__isnull=False)
    assert [t.user.email for t in revoked] == ["camille.1@exemple.test"]


@pytest.mark.parametrize(
    ("url", "method"),
    [
        (USERS, "post"),
        (TOKENS, "post"),
        ("/admin/accounts/totpdevice/", "post"),
        ("/admin/accounts/signup/", "post"),
        ("/admin/mandates/consultant/", "post"),
        # Services are searched by code and name: nothing about a person.
        ("/admin/catalogue/service/", "get"),
    ],
)
def test_which_lists_search_by_post(browser: Client, url: str, method: str) -> None:
    html = browser.get(url).content.decode()
    assert f'<form id="changelist-search" method="{method}" role="search">' in html
