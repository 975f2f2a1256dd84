"""Sign-up with a verified e-mail address: inactive until the link is opened, once, within
48 hours; the same answer for every address."""

from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from guichet.accounts.models import Signup, User
from guichet.accounts.tests.helpers import last_mail, link_in, log_in

pytestmark = pytest.mark.django_db
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test account)
SENT = "/accounts/inscription/courriel-envoye/"


def sign_up(client: Client, email: str = "nouvelle@example.org", **overrides: str) -> Any:
    data = {
        "full_name": "Camille Nouvelle",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/inscription/", data)


def activate(client: Client, path: str) -> Any:
    """Open the link, then press the button, as a person does."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    assert opened["Location"] == "/accounts/activation/"
    page = client.get("/accounts/activation/")
    assert "Activer mon compte" in page.content.decode()
    return client.post("/accounts/activation/")


def test_sign_up_sends_a_link_that_activates_the_account_once() -> None:
    client = Client()
    page = client.get("/accounts/inscription/")
    html = page.content.decode()
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2

    response = sign_up(client, email="Nouvelle@Example.org")
    assert (response.status_code, response["Location"]) == (302, SENT)
    user = User.objects.get(email="nouvelle@example.org")
    assert user.full_name == "Camille Nouvelle"
    assert user.is_active is False
    assert Signup.objects.get(user=user).activated_at is None
    # Not active yet: the right password does not log in.
    assert log_in(Client(), "nouvelle@example.org", PASSWORD).status_code == 200

    assert len(mail.outbox) == 1
    message = last_mail()
    assert message.to == ["nouvelle@example.org"]
    assert message.subject == "Activez votre compte Guichet"
    assert "Camille" not in message.body  # nothing the e-mail does not need
    path = link_in(message, "/accounts/activer/")

    # Opening the link changes nothing by itself (mail scanners open links too).
    assert client.get(path).status_code == 302
    user.refresh_from_db()
    assert user.is_active is False

    done = client.post("/accounts/activation/")
    # Signed in at once: no second log-in after the activation.
    assert (done.status_code, done["Location"]) == (302, "/accounts/accueil/")
    user.refresh_from_db()
    assert user.is_active is True
    assert Signup.objects.get(user=user).activated_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (
        "Votre compte est activé et vous êtes connecté" in client.get("/dossiers/").content.decode()
    )
    assert log_in(Client(), "nouvelle@example.org", PASSWORD)["Location"] == "/accounts/accueil/"

    # The link works once.
    again = activate(Client(), path)
    assert again.status_code == 200
    assert "Ce lien a déjà servi" in again.content.decode()


def test_the_link_expires_after_48_hours() -> None:
    with time_machine.travel("2026-03-02 09:00 -05:00", tick=False):
        sign_up(Client())
        path = link_in(last_mail(), "/accounts/activer/")
    with time_machine.travel("2026-03-04 08:59 -05:00", tick=False):
        client = Client()
        assert client.get(path).status_code == 302  # still valid a minute before
    with time_machine.travel("2026-03-04 09:01 -05:00", tick=False):
        # …but not when the button is pressed too late, nor a link opened late.
        late = client.post("/accounts/activation/")
        assert "Le lien a expiré" in late.content.decode()
        response = activate(Client(), path)
        assert response.status_code == 200
        assert "Le lien a expiré" in response.content.decode()
    assert User.objects.get(email="nouvelle@example.org").is_active is False


def test_a_tampered_link_is_refused() -> None:
    sign_up(Client())
    path = link_in(last_mail(), "/accounts/activer/")
    response = activate(Client(), path[:-3] + "xx/")
    assert "n'est pas valide" in response.content.decode()
    assert Client().post("/accounts/activation/").status_code == 200  # no token: nothing
    assert User.objects.get(email="nouvelle@example.org").is_active is False


def test_an_address_in_use_gets_the_same_answer_and_its_owner_a_notice() -> None:
    owner = User.objects.create_user("dejala@example.org", "ancien-Mot-de-passe-9", full_name="A")
    new = sign_up(Client(), email="nouvelle@example.org")
    used = sign_up(Client(), email="DejaLa@example.org", full_name="Quelqu'un d'autre")
    assert (used.status_code, used["Location"]) == (new.status_code, new["Location"])
    assert Client().get(used["Location"]).content == Client().get(new["Location"]).content

    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert notice.to == ["dejala@example.org"]
    assert notice.subject == "Tentative d'inscription à Guichet avec votre adresse"
    assert "aucun autre compte n'a été créé" in notice.body
    assert "/accounts/activer/" not in notice.body
    # Nothing changed on the existing account.
    owner.refresh_from_db()
    assert owner.full_name == "A"
    assert owner.check_password("ancien-Mot-de-passe-9")
    assert User.objects.filter(email__iexact="dejala@example.org").count() == 1
    assert not Signup.objects.filter(user=owner).exists()


def test_signing_up_again_before_activation_sends_a_new_link_for_the_same_account() -> None:
    sign_up(Client())
    sign_up(Client(), password1="autre-Mot-de-passe-8", password2="autre-Mot-de-passe-8")
    assert User.objects.filter(email="nouvelle@example.org").count() == 1
    second = mail.outbox[1]
    assert second.subject == "Activez votre compte Guichet"
    assert "celui choisi lors de la première inscription" in second.body
    assert activate(Client(), link_in(second, "/accounts/activer/")).status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert user.is_active
    assert user.check_password(PASSWORD)  # the first password: the second form proved nothing


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "pas-le-meme-Mot-9"}, "password2", "ne sont pas identiques"),
        ({"password1": "court", "password2": "court"}, "password1", "trop court"),
        ({"password1": "password1234", "password2": "password1234"}, "password1", "trop courant"),
        ({"email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
        ({"full_name": ""}, "full_name", "obligatoire"),
    ],
)
def test_invalid_forms_say_what_to_fix(overrides: dict[str, str], field: str, message: str) -> None:
    response = sign_up(Client(), **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Corrigez ce qui suit" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signed_in_people_are_sent_home() -> None:
    User.objects.create_user("deja@example.org", PASSWORD)
    client = Client()
    log_in(client, "deja@example.org", PASSWORD)
    assert client.get("/accounts/inscription/")["Location"] == "/accounts/accueil/"
