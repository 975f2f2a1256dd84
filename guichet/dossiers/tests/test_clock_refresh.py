"""The bookkeeping of the re-derivations of the clock caches, as services
(guichet/dossiers/rederive.py, `clock_refresh_*`): asked once per calendar version, the first
one a baseline, started and finished with their counts, completed by `rederive-clocks --fix`."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from guichet.dossiers.models import ClockRefresh
from guichet.dossiers.rederive import (
    clock_refresh_complete,
    clock_refresh_finish,
    clock_refresh_request,
    clock_refresh_start,
)

pytestmark = pytest.mark.django_db

ASKED = datetime.fromisoformat("2026-12-18 10:00 -05:00")


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(ASKED, tick=False) as traveller:
        yield traveller


def queued() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="rederive_clock_caches").count()


def state(refresh: ClockRefresh) -> tuple[object, ...]:
    refresh.refresh_from_db()
    return (
        refresh.stamp,
        refresh.baseline,
        refresh.requested_at,
        refresh.started_at,
        refresh.finished_at,
        refresh.checked,
        refresh.changed,
    )


def test_the_first_version_is_the_baseline_and_queues_nothing(
    clock: time_machine.Traveller, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        refresh = clock_refresh_request(stamp="v1")
    assert state(refresh) == ("v1", True, timezone.now(), None, timezone.now(), 0, 0)
    assert refresh.pending is False
    assert queued() == 0


def test_a_new_version_is_asked_for_once_and_queued_once(
    clock: time_machine.Traveller, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    clock_refresh_request(stamp="v1")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = clock_refresh_request(stamp="v2")
        clock.shift(timedelta(minutes=1))
        again = clock_refresh_request(stamp="v2")
    assert again.pk == first.pk
    assert state(first) == ("v2", False, ASKED, None, None, 0, 0)
    assert queued() == 1
    assert ClockRefresh.objects.count() == 2


def test_started_then_finished_with_its_counts(clock: time_machine.Traveller) -> None:
    clock_refresh_request(stamp="v1")
    refresh = clock_refresh_request(stamp="v2")
    clock.shift(timedelta(minutes=5))
    clock_refresh_start(refresh=refresh)
    assert refresh.pending is True
    clock.shift(timedelta(minutes=2))
    clock_refresh_finish(refresh=refresh, checked=120, changed=7)
    assert state(refresh) == (
        "v2",
        False,
        ASKED,
        ASKED + timedelta(minutes=5),
        ASKED + timedelta(minutes=7),
        120,
        7,
    )
    assert refresh.pending is False


def test_the_command_completes_a_pending_version_only(clock: time_machine.Traveller) -> None:
    clock_refresh_request(stamp="v1")
    pending = clock_refresh_request(stamp="v2")
    clock.shift(timedelta(minutes=3))
    done = clock_refresh_complete(stamp="v2", checked=10, changed=2)
    assert done.pk == pending.pk
    later = ASKED + timedelta(minutes=3)
    assert state(pending) == ("v2", False, ASKED, later, later, 10, 2)
    # Done already: the counts of the first run stay.
    clock.shift(timedelta(minutes=3))
    clock_refresh_complete(stamp="v2", checked=10, changed=0)
    assert state(pending) == ("v2", False, ASKED, later, later, 10, 2)
    # A version nobody asked for yet is recorded as done by the command.
    unseen = clock_refresh_complete(stamp="v3", checked=10, changed=0)
    now = timezone.now()
    assert state(unseen) == ("v3", False, now, now, now, 10, 0)
