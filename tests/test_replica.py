"""The read replica, for real: a temporary primary cluster (initdb, pg_ctl, free port under
/tmp), Guichet migrated and its demo loaded on it, a streaming standby made with
pg_basebackup -R; then the annual report is run against the standby, and the results pages,
served with DATABASE_REPLICA_URL, read from it and say how old its data is."""

import json
import subprocess
from typing import Any

import pytest

from tests import pgcluster, stack

bin_folder = pgcluster.server_bin()
pytestmark = pytest.mark.skipif(
    bin_folder is None, reason="PostgreSQL's server binaries are not installed"
)

PAGES = """
import json
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from guichet.accounts.models import User

client = Client()
client.force_login(User.objects.get(email="superviseur@example.org"))
found = {}
for path in ("/resultats/", "/resultats/rapport-annuel/", "/dossiers/"):
    with CaptureQueriesContext(connections["replica"]) as replica, \\
         CaptureQueriesContext(connections["default"]) as primary:
        answer = client.get(path)
    text = answer.content.decode()
    found[path] = {
        "status": answer.status_code,
        "replica_queries": len(replica.captured_queries),
        "primary_queries": len(primary.captured_queries),
        "lag_shown": 'id="replica-lag"' in text,
        "caught_up": "à jour" in text,
    }
print(json.dumps(found))
"""


def guichet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(stack.BIN / "guichet"), *args], env=env, capture_output=True, text=True, check=False
    )


def test_the_annual_report_runs_on_a_streaming_replica(tmp_path: Any) -> None:
    assert bin_folder is not None
    with pgcluster.workspace() as folder, pgcluster.primary(folder, bin_folder) as primary:
        primary.psql("postgres", "CREATE DATABASE guichet")
        env = stack.app_environment(
            primary.url("guichet"), tmp_path, GUICHET_STAFF_MFA_REQUIRED="false"
        )
        for command in (
            ("migrate", "--no-input", "-v", "0"),
            ("load-calendar", "calendars/quebec.toml"),
            *(("load-declaration", str(p)) for p in sorted(stack.ROOT.glob("declarations/*.toml"))),
            ("demo",),
        ):
            done = guichet(env, *command)
            assert done.returncode == 0, (command, done.stderr)

        with pgcluster.standby(folder, primary) as replica:
            assert replica.psql("postgres", "SELECT pg_is_in_recovery()") == "t"
            # Streaming: a write on the primary after the copy reaches the standby.
            primary.psql(
                "guichet",
                "CREATE TABLE streamed_probe (x int); INSERT INTO streamed_probe VALUES (7)",
            )
            pgcluster.wait_replayed(primary, replica)
            assert replica.psql("guichet", "SELECT x FROM streamed_probe") == "7"

            on_replica = {**env, "DATABASE_URL": replica.url("guichet")}
            report = guichet(on_replica, "report", "--fiscal-year", "2026-2027")
            assert report.returncode == 0, report.stderr
            same = guichet(env, "report", "--fiscal-year", "2026-2027")
            assert report.stdout == same.stdout
            assert report.stdout.count("\n") > 5

            # The web: the primary, and the replica for the results pages.
            served = {**env, "DATABASE_REPLICA_URL": replica.url("guichet")}
            pages = guichet(served, "shell", "-c", PAGES)
            assert pages.returncode == 0, pages.stderr
            found = json.loads(pages.stdout.strip().splitlines()[-1])
    for path in ("/resultats/", "/resultats/rapport-annuel/"):
        assert found[path]["status"] == 200
        assert found[path]["replica_queries"] > 0, path
        assert found[path]["lag_shown"] and found[path]["caught_up"], path
    # A page that must see the person's own writes reads the primary only.
    assert found["/dossiers/"]["replica_queries"] == 0
    assert found["/dossiers/"]["lag_shown"] is False
