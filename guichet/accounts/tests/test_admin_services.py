"""The Django admin changes accounts only through the services that log the change: creating and
revoking an API token, removing someone's authenticator application; it writes the same
access-log rows as the service, with the administrator as the actor. Who may do what is not
changed there: `is_staff`, `is_superuser`, groups and permissions are read-only."""

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from guichet.accounts import services
from guichet.accounts.models import ApiToken, TotpDevice, User
from guichet.audit.models import AccessLog

pytestmark = pytest.mark.django_db

NOW = "2026-12-18 10:00 -05:00"
TOKENS = "/admin/accounts/apitoken/"
DEVICES = "/admin/accounts/totpdevice/"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("admin@example.org", "x-Secret-9")


@pytest.fixture
def browser(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def service_account(db: None) -> User:
    return User.objects.create_user("systeme@guichet.example", full_name="Système études")


def rows_since(first_id: int) -> list[tuple[Any, ...]]:
    """The access-log rows written after `first_id`, without their address and seal."""
    return [
        (
            e.action,
            e.subject_kind,
            e.subject_id,
            e.subject_number,
            e.person_id,
            e.actor_id,
            e.actor_label,
            e.why,
        )
        for e in AccessLog.objects.filter(id__gt=first_id).order_by("id")
    ]


def last_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_the_service_logs_a_token_created_and_revoked(
    frozen: Any, superuser: User, service_account: User
) -> None:
    start = last_id()
    token, _secret = services.api_token_create(
        name="Système des études", user=service_account, actor=superuser
    )
    assert services.api_token_revoke(token=token, actor=superuser) is True
    assert services.api_token_revoke(token=token, actor=superuser) is False  # once only
    token.refresh_from_db()
    assert token.revoked_at == timezone.now()
    account = service_account.pk
    assert rows_since(start) == [
        (
            "account",
            "person",
            account,
            "",
            account,
            superuser.pk,
            "",
            f"compte : jeton d'API créé (jeton n° {token.pk})",
        ),
        (
            "account",
            "person",
            account,
            "",
            account,
            superuser.pk,
            "",
            f"compte : jeton d'API révoqué (jeton n° {token.pk})",
        ),
    ]
    # A program names itself; nothing says who otherwise.
    start = last_id()
    other, _ = services.api_token_create(
        name="Banc d'essai", user=service_account, actor=None, actor_label="make bench"
    )
    services.api_token_revoke(token=other, actor=None)
    assert [(r[5], r[6]) for r in rows_since(start)] == [(None, "make bench"), (None, "système")]


def test_creating_a_token_in_the_admin_logs_as_the_service_does(
    frozen: Any, browser: Client, superuser: User, service_account: User
) -> None:
    start = last_id()
    response = browser.post(
        f"{TOKENS}add/", {"name": " Système des études ", "user": service_account.pk}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert (token.name, token.user_id, token.created_at) == (
        "Système des études",
        service_account.pk,
        timezone.now(),
    )
    from_admin = rows_since(start)

    start = last_id()
    other, _ = services.api_token_create(
        name="Système des études", user=service_account, actor=superuser
    )
    from_service = rows_since(start)
    assert from_admin == [
        (
            "account",
            "person",
            service_account.pk,
            "",
            service_account.pk,
            superuser.pk,
            "",
            f"compte : jeton d'API créé (jeton n° {token.pk})",
        )
    ]
    assert [r[:-1] for r in from_admin] == [r[:-1] for r in from_service]
    assert from_service[0][-1] == f"compte : jeton d'API créé (jeton n° {other.pk})"


def test_revoking_tokens_in_the_admin_logs_each_as_the_service_does(
    frozen: Any, browser: Client, superuser: User, service_account: User
) -> None:
    first, _ = services.api_token_create(name="Premier", user=service_account, actor=None)
    second, _ = services.api_token_create(name="Second", user=service_account, actor=None)
    already, _ = services.api_token_create(name="Déjà révoqué", user=service_account, actor=None)
    services.api_token_revoke(token=already, actor=None)
    start = last_id()
    response = browser.post(
        TOKENS,
        {"action": "revoke", "_selected_action": [first.pk, second.pk, already.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Jetons révoqués : 2."]
    assert rows_since(start) == [
        (
            "account",
            "person",
            service_account.pk,
            "",
            service_account.pk,
            superuser.pk,
            "",
            f"compte : jeton d'API révoqué (jeton n° {token.pk})",
        )
        for token in (first, second)
    ]
    assert sorted(ApiToken.objects.values_list("name", "revoked_at")) == [
        ("Déjà révoqué", timezone.now()),
        ("Premier", timezone.now()),
        ("Second", timezone.now()),
    ]


def test_a_token_is_neither_edited_nor_deleted_in_the_admin(
    browser: Client, service_account: User
) -> None:
    token, _ = services.api_token_create(name="Système", user=service_account, actor=None)
    start = last_id()
    browser.post(f"{TOKENS}{token.pk}/change/", {"name": "Autre nom", "revoked_at": "2026-01-01"})
    assert browser.post(f"{TOKENS}{token.pk}/delete/", {"post": "yes"}).status_code == 403
    browser.post(TOKENS, {"action": "delete_selected", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert (token.name, token.revoked_at) == ("Système", None)
    assert rows_since(start) == []


def test_staff_who_may_only_view_tokens_cannot_revoke_them(service_account: User) -> None:
    viewer = User.objects.create_user("lecteur@example.org", "x-Secret-9", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    token, _ = services.api_token_create(name="Système", user=service_account, actor=None)
    client = Client()
    client.force_login(viewer)
    assert client.get(TOKENS).status_code == 200
    start = last_id()
    client.post(TOKENS, {"action": "revoke", "_selected_action": [token.pk]})
    assert client.post(f"{TOKENS}add/", {"name": "x", "user": service_account.pk}).status_code == (
        403
    )
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
    assert rows_since(start) == []


def device_for(user: User) -> TotpDevice:
    return TotpDevice.objects.create(
        user=user,
        secret="JBSWY3DPEHPK3PXP",  # noqa: S106 (a test secret)
        confirmed_at=timezone.now(),
    )


def test_removing_an_application_in_the_admin_logs_the_administrator(
    frozen: Any, browser: Client, superuser: User
) -> None:
    lost = User.objects.create_user("perdu@example.org", full_name="Lou Perdu")
    device = device_for(lost)
    start = last_id()
    response = browser.post(f"{DEVICES}{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=lost).exists()
    from_admin = rows_since(start)

    # The same as the service itself writes.
    device_for(lost)
    start = last_id()
    assert services.totp_device_remove(user=lost, actor=superuser) is True
    assert services.totp_device_remove(user=lost, actor=superuser) is False
    assert (
        from_admin
        == rows_since(start)
        == [
            (
                "account",
                "person",
                lost.pk,
                "",
                lost.pk,
                superuser.pk,
                "",
                "compte : validation en deux étapes retirée",
            )
        ]
    )


def test_removing_several_applications_in_the_admin_logs_each(
    browser: Client, superuser: User
) -> None:
    people = [User.objects.create_user(f"p{i}@example.org") for i in range(2)]
    devices = [device_for(p) for p in people]
    start = last_id()
    browser.post(
        DEVICES,
        {"action": "delete_selected", "_selected_action": [d.pk for d in devices], "post": "yes"},
    )
    assert TotpDevice.objects.count() == 0
    assert sorted((r[4], r[5], r[7]) for r in rows_since(start)) == [
        (p.pk, superuser.pk, "compte : validation en deux étapes retirée") for p in people
    ]


def test_roles_and_permissions_are_read_only_in_the_user_admin(
    browser: Client, superuser: User
) -> None:
    person = User.objects.create_user("client@example.org", full_name="Claude Client")
    group = Group.objects.create(name="Éditeurs")
    permission = Permission.objects.get(codename="change_apitoken")
    url = f"/admin/accounts/user/{person.pk}/change/"
    form = browser.get(url).content.decode()
    for name in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert f'name="{name}"' not in form
    joined = timezone.localtime(person.date_joined)
    response = browser.post(
        url,
        {
            "email": "client@example.org",
            "full_name": "Claude Client-Exemple",
            "is_active": "on",
            "date_joined_0": f"{joined:%Y-%m-%d}",
            "date_joined_1": f"{joined:%H:%M:%S}",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [group.pk],
            "user_permissions": [permission.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    person.refresh_from_db()
    assert person.full_name == "Claude Client-Exemple"  # the form was saved...
    assert (person.is_staff, person.is_superuser) == (False, False)  # ...but not these
    assert list(person.groups.all()) == []
    assert list(person.user_permissions.all()) == []


def test_the_admin_cannot_make_itself_less_or_more_than_it_is(
    browser: Client, superuser: User
) -> None:
    """Even on one's own account: unticking `is_superuser` is ignored as well."""
    joined: datetime = timezone.localtime(superuser.date_joined)
    browser.post(
        f"/admin/accounts/user/{superuser.pk}/change/",
        {
            "email": superuser.email,
            "full_name": "",
            "is_active": "on",
            "date_joined_0": f"{joined:%Y-%m-%d}",
            "date_joined_1": f"{joined:%H:%M:%S}",
        },
    )
    superuser.refresh_from_db()
    assert (superuser.is_staff, superuser.is_superuser) == (True, True)
