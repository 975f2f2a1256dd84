"""Tasks the background worker left unfinished run again (docs/reliability.md).

django-tasks' database worker claims a task (status RUNNING), runs it, then records the result.
A worker killed in between (kill -9, a crash, the machine stopping) leaves the task RUNNING for
ever; a task that met a database restart is recorded FAILED with OperationalError. Neither
would ever run again. Guichet's tasks are idempotent (each checks, by its key, whether its work
is done: `Letter.notified_at`), so running one again is always safe:

- at the start of a worker (`guichet tasks-recover --worker-id <id>`, the worker unit's
  ExecStartPre): the tasks RUNNING under that worker id, which a worker of that id can only
  have left behind (one worker per id: the machine's name in deploy/systemd);
- every few minutes (`--stale-after 900`, a timer): the tasks RUNNING for longer than that,
  whoever claimed them (another machine that died);
- both: the tasks FAILED on a transient database error (the connection lost), up to
  MAX_ATTEMPTS runs in all.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

MAX_ATTEMPTS = 5
TRANSIENT = (
    "django.db.utils.OperationalError",
    "django.db.utils.InterfaceError",
    "psycopg.OperationalError",
    "psycopg.errors.AdminShutdown",
)


@transaction.atomic
def tasks_recover(*, worker_id: str | None = None, stale_after: float | None = None) -> int:
    """Put back in the queue the unfinished tasks described above; return how many."""
    limit = timezone.now() - timedelta(seconds=stale_after) if stale_after is not None else None
    ids = []
    for task in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED]
    ):
        if task.status == TaskResultStatus.FAILED:
            again = task.exception_class_path in TRANSIENT and len(task.worker_ids) < MAX_ATTEMPTS
        else:
            mine = bool(worker_id) and bool(task.worker_ids) and task.worker_ids[-1] == worker_id
            stale = limit is not None and task.started_at is not None and task.started_at < limit
            again = mine or stale
        if again:
            ids.append(task.pk)
    return DBTaskResult.objects.filter(pk__in=ids).update(
        status=TaskResultStatus.READY,
        started_at=None,
        finished_at=None,
        exception_class_path="",
        traceback="",
    )
