"""A release restarts gunicorn under load without failing a request: HUP (new workers with the
new code, the old ones finish first: `systemctl reload guichet-web`) and USR2 (a new master,
then the old one leaves: a new gunicorn or Python). Clients send requests all along; none may
fail, not one connection refused (docs/reliability.md)."""

import contextlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from guichet.testing import Personas
from tests import stack

pytestmark = pytest.mark.django_db(transaction=True)


def test_reload_and_binary_upgrade_under_load_lose_no_request(
    personas: Personas, tmp_path: Path, settings: Any
) -> None:
    env = stack.app_environment(
        stack.database_url(connection.settings_dict),
        tmp_path,
        SECRET_KEY=settings.SECRET_KEY,
        GUICHET_FIELD_KEYS=",".join(settings.GUICHET_FIELD_KEYS),
        GUICHET_ACCESS_LOG_KEY=settings.GUICHET_ACCESS_LOG_KEY,
        ALLOWED_HOSTS=stack.HOST_NAME,
        GUICHET_GRACEFUL_TIMEOUT="20",
    )
    new_master = 0
    try:
        with stack.gunicorn(env, tmp_path, workers=2) as app:
            stack.wait_until(lambda: len(app.worker_pids()) == 2)
            first_workers = set(app.worker_pids())
            with stack.Load(app.port, ("/", "/sante/pret"), clients=4) as load:
                stack.wait_until(lambda: load.sent >= 4, timeout=60)
                # 1. HUP twice: each time two new workers, the old ones gone.
                for _ in range(2):
                    before = set(app.worker_pids())
                    app.signal(signal.SIGHUP)
                    stack.wait_until(
                        lambda before=before: (
                            len(app.worker_pids()) == 2 and not before & set(app.worker_pids())
                        )
                    )
                    # Requests keep being answered by the new workers.
                    mark = load.sent
                    stack.wait_until(lambda mark=mark: load.sent >= mark + 4, timeout=60)
                # 2. USR2: a second master on the same socket; then the old one stops.
                workers = set(app.worker_pids())
                app.signal(signal.SIGUSR2)
                new_master = stack.wait_until(
                    lambda: next((p for p in app.worker_pids() if p not in workers), 0)
                )
                stack.wait_until(lambda: len(stack.children_of(new_master)) == 2)
                mark = load.sent
                stack.wait_until(lambda: load.sent >= mark + 4, timeout=60)
                app.signal(signal.SIGTERM)
                app.process.wait(30)
                mark = load.sent
                # The new master alone serves.
                stack.wait_until(lambda: load.sent >= mark + 4, timeout=60)
        assert load.failures == []
        # Requests were answered before, between and after every restart (waited for above);
        # how many depends on the machine, not on Guichet.
        assert load.sent >= 20
        assert not first_workers & set(stack.children_of(new_master))
    finally:
        if new_master:
            with contextlib.suppress(ProcessLookupError):
                os.kill(new_master, signal.SIGTERM)
            stack.wait_until(lambda: not Path(f"/proc/{new_master}").exists(), timeout=40)
