"""A read replica for the heavy reads: the dashboard, its drill-down, the annual report and its
files (docs/deployment.md, "Replicas").

`DATABASE_REPLICA_URL` adds a `replica` database (a PostgreSQL streaming standby). The views
wrapped in `reads_from_replica` read from it; every other read stays on the primary, and so
does every write anywhere (the access log a replica view writes goes to the primary). A read
that must see the person's own writes (a page after a form, the worklist, a dossier) is never
wrapped: a replica lags, a little or a lot.

The router routes by a context variable, not by model: the same Dossier is read from the
replica by the annual report and from the primary by the dossier page. Without the setting,
there is no `replica` database and everything reads from the primary as before.
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest

REPLICA = "replica"
_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("on_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """The reads of this view (and of what it renders) go to the replica, when there is one."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _on_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _on_replica.reset(token)

    return wrapper


@contextmanager
def on_primary() -> Iterator[None]:
    """Inside a replica view, reads that must see the primary (what is about to be written)."""
    token = _on_replica.set(False)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return str(instance._state.db)  # a related object comes from where its owner did
        return REPLICA if _on_replica.get() and replica_configured() else "default"

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both sides

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the standby replays the primary's migrations


@dataclass(frozen=True)
class ReplicaLag:
    """How old the replica's data is: when it replayed its last transaction, and whether it
    has replayed all it received (then it is as recent as the primary, however quiet)."""

    replayed_at: datetime | None
    caught_up: bool
    seconds: float | None


def replica_lag() -> ReplicaLag | None:
    """The lag of the replica, read on the replica (pg_last_xact_replay_timestamp); None
    without a replica, or when the `replica` database is not a standby (a test mirror)."""
    if not replica_configured() or connections[REPLICA].vendor != "postgresql":
        return None
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp(), "
            "pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(), "
            "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        )
        standby, replayed_at, caught_up, seconds = cursor.fetchone()
    if not standby:
        return None
    return ReplicaLag(replayed_at, bool(caught_up), float(seconds) if seconds is not None else None)


def replica_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `replica_lag` on the pages rendered from the replica."""
    if not _on_replica.get():
        return {}
    return {"replica_lag": replica_lag()}
