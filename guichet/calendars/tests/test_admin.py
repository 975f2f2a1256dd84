"""Editing the calendar in the Django admin goes through the services and keeps history."""

from datetime import date

import pytest
from django.test import Client

from guichet.accounts.models import User
from guichet.calendars.models import CalendarYear, ClosureDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(quebec_calendar: None) -> Client:
    user = User.objects.create_superuser("admin@example.org", "x-Secret-9")
    client = Client()
    client.force_login(user)
    return client


def test_add_a_closure_day(admin_client_logged: Client) -> None:
    response = admin_client_logged.post(
        "/admin/calendars/closureday/add/",
        {"date": "2026-03-09", "name": "Tempête", "reason": "décision du CT"},
    )
    assert response.status_code == 302
    day = ClosureDay.objects.get(date=date(2026, 3, 9))
    assert day.recorded_by is not None
    assert (day.name, day.recorded_by.email, day.reason) == (
        "Tempête",
        "admin@example.org",
        "décision du CT",
    )


def test_a_weekend_day_is_refused_with_a_message(admin_client_logged: Client) -> None:
    response = admin_client_logged.post(
        "/admin/calendars/closureday/add/",
        {"date": "2026-03-07", "name": "Tempête", "reason": "x"},
    )
    assert response.status_code == 200
    assert "tombe un week-end" in response.content.decode()
    assert ClosureDay.objects.count() == 39


def test_changing_a_day_retires_the_old_row(admin_client_logged: Client) -> None:
    old = ClosureDay.objects.get(date=date(2026, 12, 28))
    response = admin_client_logged.post(
        f"/admin/calendars/closureday/{old.pk}/change/",
        {"date": "2026-12-29", "name": "Lendemain de Noël", "reason": "correction du CT"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.retired_at is not None
    assert ClosureDay.objects.current().get(date=date(2026, 12, 29)).name == "Lendemain de Noël"
    # The retired row is read-only and nothing can be deleted.
    assert (
        admin_client_logged.post(
            f"/admin/calendars/closureday/{old.pk}/change/",
            {"date": "2026-12-30", "name": "X", "reason": "y"},
        ).status_code
        == 403
    )
    assert (
        admin_client_logged.get(f"/admin/calendars/closureday/{old.pk}/delete/").status_code == 403
    )


def test_confirm_a_year(admin_client_logged: Client) -> None:
    response = admin_client_logged.post("/admin/calendars/calendaryear/add/", {"year": "2028"})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2028).exists()
    assert ClosureDay.objects.current().filter(date__year=2028).count() == 13
    again = admin_client_logged.post("/admin/calendars/calendaryear/add/", {"year": "2028"})
    assert again.status_code == 200
    assert ClosureDay.objects.current().filter(date__year=2028).count() == 13
