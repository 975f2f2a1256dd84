"""Suspending or revoking a consultant's recognition (and lifting or cancelling it) goes
through a service that takes who does it and writes the access log: from the admin (the
administrator), from `guichet consultant` (the command), the same rows."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from guichet.accounts.models import User
from guichet.audit.models import AccessLog
from guichet.mandates.models import Consultant
from guichet.mandates.services import (
    MandateError,
    consultant_register,
    consultant_revocation_cancel,
    consultant_revoke_recognition,
    consultant_suspend,
    consultant_suspension_lift,
)
from guichet.mandates.tests.conftest import CONSULTANT_EMAIL, NUMBER
from guichet.testing import Personas, run_command

pytestmark = pytest.mark.django_db


def last_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def rows_since(first_id: int) -> list[tuple[Any, ...]]:
    return [
        (e.action, e.subject_kind, e.subject_id, e.person_id, e.actor_id, e.actor_label, e.why)
        for e in AccessLog.objects.filter(id__gt=first_id).order_by("id")
    ]


def dates(consultant: Consultant) -> tuple[date | None, date | None, date | None]:
    consultant.refresh_from_db()
    return consultant.suspended_from, consultant.suspended_until, consultant.revoked_on


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("admin@example.org", "x-Secret-9")


def test_each_change_of_the_recognition_is_logged_with_its_actor(
    personas: Personas, consultant: Consultant, superuser: User
) -> None:
    start = last_id()
    consultant_suspend(
        consultant=consultant, start=date(2026, 3, 1), end=date(2026, 4, 30), actor=superuser
    )
    consultant_suspension_lift(consultant=consultant, actor=superuser)
    consultant_suspend(consultant=consultant, start=date(2026, 5, 1), actor=superuser)
    consultant_revoke_recognition(consultant=consultant, on=date(2026, 6, 1), actor=superuser)
    consultant_revocation_cancel(consultant=consultant, actor=superuser)
    assert dates(consultant) == (date(2026, 5, 1), None, None)
    account = consultant.user_id
    assert account is not None
    prefix = ("change", "person", account, account, superuser.pk, "")
    assert rows_since(start) == [
        (
            *prefix,
            "registre des consultants : reconnaissance suspendue du 2026-03-01 au 2026-04-30 "
            "(n° RC-2024-0042)",
        ),
        (*prefix, "registre des consultants : suspension levée (n° RC-2024-0042)"),
        (
            *prefix,
            "registre des consultants : reconnaissance suspendue du 2026-05-01 jusqu'à nouvel "
            "ordre (n° RC-2024-0042)",
        ),
        (
            *prefix,
            "registre des consultants : reconnaissance révoquée le 2026-06-01 (n° RC-2024-0042)",
        ),
        (*prefix, "registre des consultants : révocation annulée (n° RC-2024-0042)"),
    ]


def test_a_refused_change_changes_and_logs_nothing(
    personas: Personas, consultant: Consultant, superuser: User
) -> None:
    start = last_id()
    with pytest.raises(MandateError, match="La fin de la suspension précède son début."):
        consultant_suspend(
            consultant=consultant, start=date(2026, 3, 1), end=date(2026, 2, 1), actor=superuser
        )
    with pytest.raises(MandateError, match="La révocation précède le début"):
        consultant_revoke_recognition(consultant=consultant, on=date(2019, 1, 1), actor=superuser)
    with pytest.raises(MandateError, match="Ce consultant n'est pas suspendu."):
        consultant_suspension_lift(consultant=consultant, actor=superuser)
    with pytest.raises(MandateError, match="La reconnaissance de ce consultant n'est pas"):
        consultant_revocation_cancel(consultant=consultant, actor=superuser)
    assert dates(consultant) == (None, None, None)
    assert rows_since(start) == []


def test_a_consultant_without_an_account_is_logged_by_number_only(db: None) -> None:
    consultant = consultant_register(
        recognition_number="RC-9",
        full_name="Alix Exemple",
        email="alix@example.org",
        recognized_from=date(2024, 1, 1),
    )
    start = last_id()
    consultant_revoke_recognition(
        consultant=consultant, on=date(2026, 1, 1), actor=None, actor_label="guichet consultant"
    )
    assert rows_since(start) == [
        (
            "change",
            "person",
            None,
            None,
            None,
            "guichet consultant",
            "registre des consultants : reconnaissance révoquée le 2026-01-01 (n° RC-9)",
        )
    ]
    entry = AccessLog.objects.get(id__gt=start)
    assert "Alix" not in f"{entry.why} {entry.actor_label}"


def test_the_command_logs_itself_as_the_actor(
    personas: Personas, consultant: Consultant, capsys: pytest.CaptureFixture[str]
) -> None:
    start = last_id()
    run = run_command(capsys, "consultant", "--numero", NUMBER, "--suspendre", "2026-03-01:")
    assert run.code == 0
    run = run_command(capsys, "consultant", "--numero", NUMBER, "--revoquer", "2026-06-01")
    assert run.code == 0
    account = consultant.user_id
    assert rows_since(start) == [
        (
            "change",
            "person",
            account,
            account,
            None,
            "guichet consultant",
            "registre des consultants : reconnaissance suspendue du 2026-03-01 jusqu'à "
            "nouvel ordre (n° RC-2024-0042)",
        ),
        (
            "change",
            "person",
            account,
            account,
            None,
            "guichet consultant",
            "registre des consultants : reconnaissance révoquée le 2026-06-01 (n° RC-2024-0042)",
        ),
    ]


# --- The admin ------------------------------------------------------------------------------


def form_data(consultant: Consultant, **changes: str) -> dict[str, str]:
    """The admin's change form as it is shown for `consultant`, with `changes`."""

    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "full_name": consultant.full_name,
        "email": consultant.email,
        "user": str(consultant.user_id or ""),
        "recognized_from": day(consultant.recognized_from),
        "recognized_until": day(consultant.recognized_until),
        "suspended_from": day(consultant.suspended_from),
        "suspended_until": day(consultant.suspended_until),
        "revoked_on": day(consultant.revoked_on),
        "recognition_dossier": "",
        **changes,
    }


def admin_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_suspends_and_revokes_through_the_services(
    personas: Personas, consultant: Consultant, superuser: User
) -> None:
    browser = admin_for(superuser)
    url = f"/admin/mandates/consultant/{consultant.pk}/change/"
    start = last_id()
    response = browser.post(
        url, form_data(consultant, suspended_from="2026-03-01", suspended_until="2026-04-30")
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert dates(consultant) == (date(2026, 3, 1), date(2026, 4, 30), None)
    browser.post(url, form_data(consultant, revoked_on="2026-06-01"))
    assert dates(consultant) == (date(2026, 3, 1), date(2026, 4, 30), date(2026, 6, 1))
    browser.post(url, form_data(consultant, suspended_from="", suspended_until="", revoked_on=""))
    assert dates(consultant) == (None, None, None)
    from_admin = rows_since(start)

    # The services, called with the same actor, write the same rows.
    start = last_id()
    consultant_suspend(
        consultant=consultant, start=date(2026, 3, 1), end=date(2026, 4, 30), actor=superuser
    )
    consultant_revoke_recognition(consultant=consultant, on=date(2026, 6, 1), actor=superuser)
    consultant_suspension_lift(consultant=consultant, actor=superuser)
    consultant_revocation_cancel(consultant=consultant, actor=superuser)
    assert from_admin == rows_since(start)
    assert [r[4] for r in from_admin] == [superuser.pk] * 4
    assert [r[6].split(" (")[0] for r in from_admin] == [
        "registre des consultants : reconnaissance suspendue du 2026-03-01 au 2026-04-30",
        "registre des consultants : reconnaissance révoquée le 2026-06-01",
        "registre des consultants : suspension levée",
        "registre des consultants : révocation annulée",
    ]


def test_the_admin_changes_the_register_without_touching_the_recognition(
    personas: Personas, consultant: Consultant, superuser: User
) -> None:
    browser = admin_for(superuser)
    start = last_id()
    response = browser.post(
        f"/admin/mandates/consultant/{consultant.pk}/change/",
        form_data(consultant, full_name="Morgan Conseil", recognition_number="RC-1"),
    )
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert (consultant.full_name, consultant.recognition_number) == ("Morgan Conseil", NUMBER)
    assert rows_since(start) == []
    # A new entry suspended from the start: the register, then the suspension.
    response = browser.post(
        "/admin/mandates/consultant/add/",
        {
            **form_data(consultant, user="", suspended_from="2026-02-01"),
            "recognition_number": "RC-8",
            "email": "autre@cabinet.example.org",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = Consultant.objects.get(recognition_number="RC-8")
    assert dates(added) == (date(2026, 2, 1), None, None)
    assert [(r[4], r[6]) for r in rows_since(start)] == [
        (
            superuser.pk,
            "registre des consultants : reconnaissance suspendue du 2026-02-01 jusqu'à "
            "nouvel ordre (n° RC-8)",
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"suspended_until": "2026-04-30"},
            "suspended_from",
            "Indiquez le début de la suspension.",
        ),
        (
            {"suspended_from": "2026-04-30", "suspended_until": "2026-03-01"},
            "suspended_until",
            "La fin de la suspension précède son début.",
        ),
        (
            {"revoked_on": "2019-12-31"},
            "revoked_on",
            "La révocation précède le début de la reconnaissance.",
        ),
        (
            {"recognized_until": "2019-12-31"},
            "recognized_until",
            "La fin de la reconnaissance précède son début.",
        ),
    ],
)
def test_the_admin_refuses_an_incoherent_entry_and_changes_nothing(
    personas: Personas,
    consultant: Consultant,
    superuser: User,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    browser = admin_for(superuser)
    start = last_id()
    before = list(Consultant.objects.values())
    response = browser.post(
        f"/admin/mandates/consultant/{consultant.pk}/change/", form_data(consultant, **changes)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert list(Consultant.objects.values()) == before
    assert rows_since(start) == []


def test_staff_who_may_only_view_the_register_change_nothing(
    personas: Personas, consultant: Consultant
) -> None:
    viewer = User.objects.create_user("lecteur@example.org", "x-Secret-9", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_consultant"))
    browser = admin_for(viewer)
    start = last_id()
    response = browser.post(
        f"/admin/mandates/consultant/{consultant.pk}/change/",
        form_data(consultant, suspended_from="2026-03-01"),
    )
    assert response.status_code == 403
    assert dates(consultant) == (None, None, None)
    assert rows_since(start) == []
    assert consultant.email == CONSULTANT_EMAIL
