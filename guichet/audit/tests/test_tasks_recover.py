"""Unfinished tasks run again (guichet/tasks_recovery.py), and a letter's e-mail task commits
with the letter or not at all."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from guichet.dossiers.models import Letter
from guichet.dossiers.services import dossier_acknowledge
from guichet.dossiers.tasks import notify_letter_waiting
from guichet.tasks_recovery import MAX_ATTEMPTS, tasks_recover
from guichet.testing import Personas, make_dossier, run_command, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def queued(
    worker: str, status: str, *, minutes_ago: int = 0, error: str = "", runs: int = 1
) -> str:
    result = notify_letter_waiting.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker] * runs,
        exception_class_path=error,
    )
    return str(result.id)


def status(pk: str) -> str:
    return str(DBTaskResult.objects.get(pk=pk).status)


def test_a_starting_worker_takes_back_what_its_previous_run_left() -> None:
    mine = queued("host-a", TaskResultStatus.RUNNING)
    other = queued("host-b", TaskResultStatus.RUNNING)
    done = queued("host-a", TaskResultStatus.SUCCESSFUL)
    assert tasks_recover(worker_id="host-a") == 1
    assert (status(mine), status(other), status(done)) == ("READY", "RUNNING", "SUCCESSFUL")
    assert DBTaskResult.objects.get(pk=mine).started_at is None


def test_a_task_running_for_too_long_is_taken_back_whoever_claimed_it() -> None:
    old = queued("host-b", TaskResultStatus.RUNNING, minutes_ago=20)
    recent = queued("host-b", TaskResultStatus.RUNNING, minutes_ago=5)
    assert tasks_recover(stale_after=15 * 60) == 1
    assert (status(old), status(recent)) == ("READY", "RUNNING")


def test_a_task_failed_on_a_lost_connection_runs_again_a_few_times() -> None:
    lost = queued("h", TaskResultStatus.FAILED, error="django.db.utils.OperationalError")
    bug = queued("h", TaskResultStatus.FAILED, error="builtins.KeyError")
    tired = queued(
        "h", TaskResultStatus.FAILED, error="django.db.utils.OperationalError", runs=MAX_ATTEMPTS
    )
    assert tasks_recover() == 1
    assert (status(lost), status(bug), status(tired)) == ("READY", "FAILED", "FAILED")


def test_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    queued("host-a", TaskResultStatus.RUNNING)
    run = run_command(capsys, "tasks-recover", "--worker-id", "host-a")
    assert (run.code, run.out) == (0, "1 tâche(s) remise(s) dans la file\n")


def test_the_email_task_commits_with_its_letter_or_not_at_all(personas: Personas) -> None:
    dossier = make_dossier(personas)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_acknowledge(dossier=dossier, actor=personas.agent)
        raise RuntimeError("the request dies before its commit")
    assert (Letter.objects.count(), DBTaskResult.objects.count()) == (0, 0)
    letter = dossier_acknowledge(dossier=dossier, actor=personas.agent)
    assert DBTaskResult.objects.get().task_result.args == [letter.pk]


def test_a_task_run_again_sends_nothing_twice_and_keeps_its_key(personas: Personas) -> None:
    dossier = make_dossier(personas)
    with time_machine.travel(timezone.now(), tick=True):
        letter = dossier_acknowledge(dossier=dossier, actor=personas.agent)
    run_tasks()
    assert len(mail.outbox) == 1
    key = mail.outbox[0].extra_headers["Message-ID"]
    assert key == f"<lettre-{letter.pk}-{letter.event_seq}.{dossier.pk}@guichet>"
    # The worker died after sending, before recording the result: the task runs again.
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=["host-a"])
    assert tasks_recover(worker_id="host-a") == 1
    run_tasks()
    assert len(mail.outbox) == 1  # notified_at was recorded: nothing sent again
    assert status(str(DBTaskResult.objects.get().pk)) == "SUCCESSFUL"
