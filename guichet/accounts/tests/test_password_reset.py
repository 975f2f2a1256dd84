"""Password reset: the same answer for every address, a French e-mail, a link that works once."""

import pytest
import time_machine
from django.core import mail
from django.test import Client

from guichet.accounts.models import User
from guichet.accounts.tests.helpers import link_in, log_in

pytestmark = pytest.mark.django_db
OLD = "ancien-Mot-de-passe-7"  # noqa: S105 (test account)
NEW = "nouveau-Mot-de-passe-8"  # noqa: S105 (test account)
DONE = "/accounts/password_reset/done/"


@pytest.fixture
def person() -> User:
    return User.objects.create_user("personne@example.org", OLD, full_name="Alex Exemple")


def test_reset_end_to_end(person: User) -> None:
    client = Client()
    form = client.get("/accounts/password_reset/").content.decode()
    assert "Mot de passe oublié" in form
    assert 'autocomplete="email"' in form

    response = client.post("/accounts/password_reset/", {"email": "Personne@Example.org"})
    assert (response.status_code, response["Location"]) == (302, DONE)
    assert "Si un compte Guichet utilise cette adresse" in client.get(DONE).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["personne@example.org"]
    assert message.subject == "Choisir un nouveau mot de passe Guichet"
    assert "Alex" not in message.body
    # GUICHET_PUBLIC_URL is unset in the tests: the link follows the request's address.
    assert "http://testserver/accounts/reset/" in message.body
    path = link_in(message, "/accounts/reset/")

    opened = client.get(path)  # Django moves the token out of the address, into the session
    assert opened.status_code == 302
    page = client.get(opened["Location"])
    html = page.content.decode()
    assert "Choisir un nouveau mot de passe" in html
    assert html.count('autocomplete="new-password"') == 2

    mismatch = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW + "x"})
    assert "ne sont pas identiques" in mismatch.content.decode()
    saved = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert saved["Location"] == "/accounts/reset/done/"
    assert "Mot de passe modifié" in client.get("/accounts/reset/done/").content.decode()

    person.refresh_from_db()
    assert person.check_password(NEW)
    assert log_in(Client(), person.email, NEW).status_code == 302
    # The link works once.
    used = Client().get(path, follow=True)
    assert "Ce lien a déjà servi ou il a expiré" in used.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(person: User) -> None:
    known = Client().post("/accounts/password_reset/", {"email": person.email})
    unknown = Client().post("/accounts/password_reset/", {"email": "inconnu@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_inactive_accounts_get_no_reset_mail() -> None:
    User.objects.create_user("inactive@example.org", OLD, is_active=False)
    response = Client().post("/accounts/password_reset/", {"email": "inactive@example.org"})
    assert response["Location"] == DONE
    assert mail.outbox == []


def test_the_reset_link_expires_after_a_day(person: User) -> None:
    with time_machine.travel("2026-03-02 09:00 -05:00", tick=False):
        Client().post("/accounts/password_reset/", {"email": person.email})
        path = link_in(mail.outbox[0], "/accounts/reset/")
    with time_machine.travel("2026-03-03 09:01 -05:00", tick=False):
        page = Client().get(path, follow=True)
        assert "Lien non valide" in page.content.decode()
    person.refresh_from_db()
    assert person.check_password(OLD)


def test_password_change_page_is_french(person: User) -> None:
    client = Client()
    log_in(client, person.email, OLD)
    html = client.get("/accounts/password_change/").content.decode()
    assert "Changer de mot de passe" in html
    assert 'autocomplete="current-password"' in html
    response = client.post(
        "/accounts/password_change/",
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == "/accounts/password_change/done/"
    person.refresh_from_db()
    assert person.check_password(NEW)
