"""The worklist's due dates follow a change of the closure calendar (guichet/dossiers/rederive.py).

DOMAIN.md's worked example: received Fri 2026-12-18, 20 business days, due Mon 2027-01-25.
An exceptional closure on Fri 2027-01-08 moves it to Tue 2027-01-26.
"""

import io
from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from guichet.calendars.services import closure_day_record
from guichet.dossiers.models import ClockRefresh, Dossier, DossierClock
from guichet.dossiers.rederive import clock_caches_follow_calendar
from guichet.testing import Personas, make_dossier, run_command, run_tasks

pytestmark = pytest.mark.django_db

NOTICE = "Le calendrier des jours de fermeture a changé"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel("2026-12-18 10:00 -05:00", tick=False):
        yield


def worklist(people: Personas) -> str:
    client = Client()
    client.force_login(people.agent)
    response = client.get("/bureau/")
    assert response.status_code == 200
    return response.content.decode()


def snow_day() -> None:
    closure_day_record(
        day=date(2027, 1, 8), name="Fermeture (tempête)", user=None, reason="tempête de neige"
    )


def test_the_first_calendar_seen_is_the_baseline(personas: Personas) -> None:
    make_dossier(personas)

    page = worklist(personas)

    refresh = ClockRefresh.objects.get()
    assert (refresh.baseline, refresh.pending) == (True, False)
    assert NOTICE not in page


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_a_new_closure_day_rewrites_the_due_dates_in_the_background(personas: Personas) -> None:
    dossier = make_dossier(personas)
    closed = make_dossier(personas)
    Dossier.objects.filter(pk=closed.pk).update(state="closed")  # its clock rows change too
    worklist(personas)  # baseline
    snow_day()

    with time_machine.travel("2026-12-18 10:01 -05:00", tick=False):  # the page looks again
        page = worklist(personas)

    refresh = ClockRefresh.objects.get(baseline=False)
    assert refresh.pending
    assert NOTICE in page
    assert Dossier.objects.get(pk=dossier.pk).due_date == date(2027, 1, 25)  # not yet

    run_tasks()

    refresh.refresh_from_db()
    assert (refresh.pending, refresh.checked, refresh.changed) == (False, 2, 2)
    moved = Dossier.objects.get(pk=dossier.pk)
    assert (moved.due_date, moved.at_risk_on, moved.overdue_on) == (
        date(2027, 1, 26),
        date(2027, 1, 20),
        date(2027, 1, 27),
    )
    assert moved.version == dossier.version  # a cache, not an action: open forms stay valid
    assert DossierClock.objects.get(dossier=dossier).due_date == date(2027, 1, 26)
    assert DossierClock.objects.get(dossier=closed).due_date == date(2027, 1, 26)
    out = io.StringIO()
    call_command("rederive-clocks", stdout=out)
    assert "2 dossier(s) vérifié(s), 0 différent(s)" in out.getvalue()


def test_one_re_derivation_per_calendar_version(
    personas: Personas, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    from django_tasks_db.models import DBTaskResult

    make_dossier(personas)
    clock_caches_follow_calendar()
    snow_day()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = clock_caches_follow_calendar()
        second = clock_caches_follow_calendar()

    assert first == second
    assert ClockRefresh.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path__endswith="rederive_clock_caches").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_with_fix_ends_the_wait(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    dossier = make_dossier(personas)
    clock_caches_follow_calendar()
    snow_day()
    refresh = clock_caches_follow_calendar()
    assert refresh is not None and refresh.pending

    report = run_command(capsys, "rederive-clocks", "--fix")

    assert f"{dossier.number} : due_date 2027-01-25 au lieu de 2027-01-26" in report.out
    refresh.refresh_from_db()
    assert (refresh.pending, refresh.checked, refresh.changed) == (False, 1, 1)
    run_tasks()  # the queued task finds the work done
    refresh.refresh_from_db()
    assert refresh.checked == 1
    with time_machine.travel("2026-12-18 10:01 -05:00", tick=False):
        assert NOTICE not in worklist(personas)
