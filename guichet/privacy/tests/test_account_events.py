"""Account events in the access log: one entry per sign-up, e-mail verification, log-in,
failed log-in, log-out, password change and reset, second factor enrolled or removed, and
identity linking; the privacy officer's search finds them; nothing personal in process logs."""

import logging
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from guichet.accounts.models import User
from guichet.accounts.tests.helpers import code_for, link_in, log_in
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.dossiers import services as dossier_services
from guichet.dossiers.models import Channel
from guichet.privacy.selectors import LogSearch, access_log_search
from guichet.privacy.tests.conftest import client_for, search_log
from guichet.testing import Personas, make_dossier

pytestmark = pytest.mark.django_db

EMAIL = "nouvelle@example.org"
PASSWORD = "un-Mot-de-passe-solide-7"  # noqa: S105 (test account)
NEW_PASSWORD = "un-Autre-mot-de-passe-9"  # noqa: S105 (test account)


def account_rows(person: User | None) -> list[tuple[str, int | None, int | None, str]]:
    """(why, person, actor, actor_label) of the account events, oldest first."""
    rows = AccessLog.objects.filter(action=AccessAction.ACCOUNT, person=person).order_by("id")
    return [(r.why, r.person_id, r.actor_id, r.actor_label) for r in rows]


def sign_up(client: Client) -> Any:
    data = {"full_name": "Camille Nouvelle", "email": EMAIL}
    return client.post(
        "/accounts/inscription/", {**data, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_each_account_action_writes_one_entry(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = Client()
    sign_up(client)
    user = User.objects.get(email=EMAIL)
    me = user.pk
    assert account_rows(user) == [("compte : inscription", me, me, "")]

    sign_up(Client())  # the same address again: its owner's account gets the entry
    path = link_in(mail.outbox[0], "/accounts/activer/")
    client.get(path)
    client.post("/accounts/activation/")
    assert account_rows(user)[1:] == [
        ("compte : inscription tentée avec son adresse", me, None, "système"),
        ("compte : adresse courriel vérifiée", me, me, ""),
        ("compte : connexion", me, me, ""),  # signed in by the activation
    ]

    log_in(Client(), EMAIL, "pas-le-bon-mot-de-passe")
    log_in(Client(), "inconnue@example.org", PASSWORD)
    assert account_rows(user)[4:] == [
        ("compte : échec de connexion", me, None, "personne non identifiée")
    ]
    assert account_rows(None) == [
        ("compte : échec de connexion", None, None, "personne non identifiée")
    ]
    unknown = AccessLog.objects.get(action=AccessAction.ACCOUNT, person=None)
    assert (unknown.subject_kind, unknown.subject_id, unknown.path) == (
        SubjectKind.PERSON,
        None,
        "/accounts/login/",
    )

    assert log_in(client, EMAIL, PASSWORD).status_code == 302
    changed = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    client.get("/accounts/double-authentification/")
    secret = client.session["guichet_totp_candidate"]
    client.post("/accounts/double-authentification/", {"code": code_for(secret)})
    removed = client.post("/accounts/double-authentification/retirer/")
    assert removed["Location"] == "/accounts/securite/"
    client.post("/accounts/logout/")
    assert [row[0] for row in account_rows(user)[5:]] == [
        "compte : connexion",
        "compte : mot de passe changé",
        "compte : validation en deux étapes activée",
        "compte : validation en deux étapes retirée",
        "compte : déconnexion",
    ]
    assert {row[2] for row in account_rows(user)[5:]} == {me}

    mail.outbox.clear()
    reset = Client()
    reset.post("/accounts/password_reset/", {"email": EMAIL})
    opened = reset.get(link_in(mail.outbox[0], "/accounts/reset/"))
    reset.post(opened["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert account_rows(user)[-1] == ("compte : mot de passe réinitialisé", me, me, "")
    assert len(account_rows(user)) == 11

    # Nothing typed is kept: not the unknown address, not a password, in the log or elsewhere.
    for entry in AccessLog.objects.all():
        text = f"{entry.why} {entry.actor_label} {entry.path}"
        for secret_text in ("inconnue", PASSWORD, NEW_PASSWORD, "pas-le-bon"):
            assert secret_text not in text
    for record in caplog.records:
        message = record.getMessage()
        assert EMAIL not in message and "inconnue@example.org" not in message


def test_linking_a_paper_dossier_is_in_the_log_of_the_account(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    paper = make_dossier(
        personas,
        client=None,
        actor=personas.agent,
        channel=Channel.MAIL,
        received_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_link_start(
            user=personas.other_client, number=paper.number, birth_date=date(1990, 5, 17)
        )
    code = mail.outbox[-1].body.split("Voici votre code : ")[1][:6]
    outcome = dossier_services.dossier_link_confirm(
        user=personas.other_client, number=paper.number, code=code
    )
    assert outcome == dossier_services.LinkOutcome.LINKED
    entry = AccessLog.objects.filter(person=personas.other_client).get()
    assert (entry.action, entry.subject_number, entry.actor_id, entry.why) == (
        AccessAction.CHANGE,
        paper.number,
        personas.other_client.pk,
        "inscription au dossier : Dossier lié au compte en ligne du client",
    )


def test_the_privacy_officer_finds_account_events(personas: Personas, officer: User) -> None:
    assert log_in(Client(), personas.owner.email, "mauvais").status_code == 200
    client_for(personas.owner)  # logs in: one more entry
    found = access_log_search(LogSearch(person=personas.owner.email, action="account"))
    assert [e.why for e in found] == ["compte : connexion", "compte : échec de connexion"]
    page = search_log(client_for(officer), personne=personas.owner.email, action="account")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("compte : connexion") == 1
    assert html.count("compte : échec de connexion") == 1
    assert "Événement du compte" in html
