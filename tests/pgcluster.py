"""Temporary PostgreSQL clusters on the loopback, for the replica test and `make faults`: made
with the installed server's own initdb, pg_ctl and pg_basebackup (found under
/usr/lib/postgresql/<version>/bin, the newest), in a folder under /tmp, on a free port, and
removed afterwards. Never the machine's own cluster (port 5432), which others use."""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.stack import free_port


def server_bin() -> Path | None:
    """The newest installed server's bin folder with everything the clusters need."""
    needed = ("initdb", "pg_ctl", "pg_basebackup", "postgres", "psql")
    found = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if all((folder / tool).exists() for tool in needed)
    ]
    if not found:
        return None
    return max(found, key=lambda f: int(f.parent.name) if f.parent.name.isdigit() else 0)


def _as_owner() -> list[str]:
    """initdb and postgres refuse to run as root: then run them as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    log: Path

    @property
    def url_base(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def url(self, database: str) -> str:
        return f"{self.url_base}/{database}"

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (the server's own tools)
            [*_as_owner(), *command], capture_output=True, text=True, check=check
        )

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args, check=check
        )

    def start(self) -> None:
        self.pg_ctl("-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-t", "60", "-m", mode, "stop", check=False)

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-t", "60", "-m", mode, "restart")

    def psql(self, database: str, sql: str) -> str:
        done = self.run(
            str(self.bin / "psql"),
            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-Atqc", sql,
        )  # fmt: skip
        return done.stdout.strip()

    def running(self) -> bool:
        return self.pg_ctl("status", check=False).returncode == 0


def _configure(data: Path, port: int, socket_dir: Path, extra: str = "") -> None:
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"""
# Guichet's temporary test cluster (tests/pgcluster.py)
port = {port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '{socket_dir}'
fsync = on
shared_buffers = 32MB
max_connections = 60
wal_level = replica
max_wal_senders = 4
hot_standby = on
{extra}
"""
        )


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A folder under /tmp that the server's user may own (a test's tmp_path is private)."""
    folder = Path(tempfile.mkdtemp(prefix="guichet-pg-", dir="/tmp"))  # noqa: S108
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def primary(folder: Path, bin: Path) -> Iterator[Cluster]:
    """A new cluster, trust authentication on the loopback only, started; stopped at the end."""
    data = folder / "primary"
    cluster = Cluster(bin, data, free_port(), folder / "primary.log")
    cluster.run(
        str(bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
    )  # fmt: skip
    _configure(data, cluster.port, folder)
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")


@contextlib.contextmanager
def standby(folder: Path, of: Cluster) -> Iterator[Cluster]:
    """A streaming replica of `of`: pg_basebackup -R (a standby.signal and the primary's
    address written for it), its own port; stopped at the end."""
    data = folder / "standby"
    cluster = Cluster(of.bin, data, free_port(), folder / "standby.log")
    cluster.run(
        str(of.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(of.port), "-U", "postgres",
        "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
    )  # fmt: skip
    _configure(data, cluster.port, folder)  # the last `port` line wins
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")


def wait_replayed(primary: Cluster, standby: Cluster, timeout: float = 60) -> None:
    """Until the standby has replayed everything the primary had written when called."""
    target = primary.psql("postgres", "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = standby.psql("postgres", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if done == "t":
            return
        time.sleep(0.2)
    raise TimeoutError("the standby did not catch up")
