"""`make faults`: Guichet on a temporary PostgreSQL cluster, gunicorn and the background worker,
while 8 clients file dossiers (API), acknowledge, ask for and receive a document (an upload),
record the fee and decide (the back office's forms), and something breaks:

- gunicorn_kill9: a gunicorn worker is killed (SIGKILL) every second or two;
- worker_kill9: the background worker is killed (SIGKILL) again and again, and started again
  as systemd would (`tasks-recover --worker-id`, then `db_worker`);
- postgres_restart: the cluster is stopped like a crash (`pg_ctl -m immediate`), then
  restarted, twice, and once more cleanly.

Then, for each scenario: every dossier asked for exists once (none lost, none doubled) and is
whole (each of its events once, its clock equal to the one re-derived from its events, its
document and letters on disk, every letter a PDF that opens), every letter's e-mail went out
under its one key (never two keys, never none), no task is left unfinished, and the access
log's chain verifies. One line a scenario: `FAULTS <scenario> held` or `FAULTS <scenario>
<what was lost>`; exit 0 when all held.

Bounded: a few dossiers per client (--dossiers), a time limit per scenario; loopback only, on
free ports, a cluster under /tmp removed at the end; never the machine's own PostgreSQL.
"""

import argparse
import contextlib
import email
import functools
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from tests import pgcluster, stack

CLIENTS = 8
PASSWORD = "faults-Pass-42-guichet"  # noqa: S105 (a throwaway cluster's accounts)
SETUP = """
from guichet.accounts.models import Membership, Unit, UnitService, User
from guichet.accounts.services import api_token_create
unit = Unit.objects.create(code="caq", name="Direction de l'immigration temporaire")
for code in ("caq-etudiant", "caq-travailleur-temporaire"):
    UnitService.objects.create(unit=unit, service_code=code)
agent = User.objects.create_user("agent.faults@example.org", "PASSWORD", full_name="Alex Agent")
Membership.objects.create(user=agent, unit=unit, role="agent")
system = User.objects.create_user("systeme.faults@example.org", None, full_name="Système")
Membership.objects.create(user=system, unit=unit, role="agent")
_, secret = api_token_create(name="faults", user=system, actor=None, actor_label="faults")
print(secret)
""".replace("PASSWORD", PASSWORD)
STEPS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    # (the event that says it is done, the action's slug, its form's prefix, its fields)
    ("acknowledged", "accuser-reception", "confirm", {}),
    ("incompleteness_notice", "incomplet", "items", {"items": "Preuve de fonds"}),
    ("items_received", "elements-recus", "received", {"note": "Preuve reçue"}),
    ("fee_paid", "frais-payes", "confirm", {}),
    (
        "decided",
        "decision",
        "decision",
        {"decision": "accepted", "reasons": "Conditions remplies."},
    ),
)
EXPECTED_EVENTS = {"received", *(step[0] for step in STEPS)}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Session:
    """One client's cookies, on plain HTTP to gunicorn on the loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> stack.Answer:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent = {"Cookie": cookie, **headers} if cookie else dict(headers)
        if "csrftoken" in self.cookies and method == "POST":
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        answer = stack.request(self.port, path, method=method, body=body, headers=sent, tls=False)
        for part in answer.headers.get("set-cookie", "").split(", "):
            name, _, rest = part.partition("=")
            if name.strip() in ("csrftoken", "sessionid"):
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return answer

    def log_in(self) -> None:
        self.send("GET", "/accounts/login/")
        body = f"username=agent.faults%40example.org&password={PASSWORD}".encode()
        answer = self.send(
            "POST",
            "/accounts/login/",
            body,
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.status != 302:
            raise OSError(f"log-in answered {answer.status}")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Client(threading.Thread):
    """Files `count` dossiers and takes each to its decision, retrying whatever fails: a step is
    sent again only after the database says it was not done (the forms also carry the
    dossier's version, so a step sent twice is refused, never applied twice)."""

    def __init__(
        self, index: int, scenario: str, count: int, port: int, token: str, db: str
    ) -> None:
        super().__init__(daemon=True)
        self.index, self.scenario, self.count = index, scenario, count
        self.port, self.token, self.db = port, token, db
        self.problems: list[str] = []
        self.retries = 0

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        for _ in range(200):
            try:
                with psycopg.connect(self.db, connect_timeout=3) as conn:
                    return conn.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                time.sleep(0.25)  # the cluster is restarting
        raise RuntimeError("the database never came back")

    def marker(self, i: int) -> str:
        return f"Faute {self.scenario} client {self.index} dossier {i}"

    def retry(self, what: Callable[[], bool], label: str) -> None:
        for _ in range(120):
            try:
                if what():
                    return
            except OSError:
                pass
            self.retries += 1
            time.sleep(0.25)
        self.problems.append(f"{label} never went through")

    def run(self) -> None:
        session = Session(self.port)

        def log_in() -> bool:
            session.log_in()
            return True

        self.retry(log_in, "log-in")
        for i in range(self.count):
            number = self.file(i)
            if number is None:
                continue
            for event, slug, prefix, fields in STEPS:
                self.retry(
                    functools.partial(self.act, session, number, event, slug, prefix, fields),
                    f"{number} {slug}",
                )

    def file(self, i: int) -> str | None:
        marker = self.marker(i)
        found: list[str] = []

        def attempt() -> bool:
            # Sent again only if the dossier is not there: a filing whose answer was lost
            # (worker killed after the commit) is found by its applicant, not filed twice.
            rows = self.query(
                "SELECT number FROM dossiers_dossier WHERE applicant_name = %s", marker
            )
            if rows:
                found.append(rows[0][0])
                return True
            body = json.dumps(
                {
                    "service": "caq-etudiant",
                    "applicant_name": marker,
                    "applicant_email": f"faute-{self.scenario}-{self.index}-{i}@example.org",
                    "postal_address": "100, rue de l'Exemple\nMontréal (Québec) H2Y 0A0",
                }
            ).encode()
            answer = stack.request(
                self.port,
                "/api/dossiers",
                method="POST",
                body=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
                tls=False,
            )
            if answer.status == 201:
                found.append(json.loads(answer.body)["number"])
                return True
            return False

        self.retry(attempt, f"{marker}: filing")
        return found[0] if found else None

    def act(
        self,
        session: Session,
        number: str,
        event: str,
        slug: str,
        prefix: str,
        fields: dict[str, str],
    ) -> bool:
        done = self.query(
            "SELECT count(*) FROM dossiers_dossierevent e JOIN dossiers_dossier d "
            "ON d.id = e.dossier_id WHERE d.number = %s AND e.kind = %s",
            number,
            event,
        )[0][0]
        if done:
            return True
        if "sessionid" not in session.cookies:
            session.log_in()
        version = self.query("SELECT version FROM dossiers_dossier WHERE number = %s", number)[0][0]
        data = {
            f"{prefix}-version": str(version),
            **{f"{prefix}-{k}": v for k, v in fields.items()},
        }
        if slug == "elements-recus":
            data[f"{prefix}-on"] = date.today().isoformat()  # noqa: DTZ011 (the server's day)
            pdf = stack_pdf(f"{number} preuve")
            body, kind = multipart(data, {f"{prefix}-attachments": ("preuve.pdf", pdf)})
        else:
            from urllib.parse import urlencode

            body, kind = urlencode(data).encode(), "application/x-www-form-urlencoded"
        answer = session.send(
            "POST", f"/bureau/dossiers/{number}/{slug}/", body, **{"Content-Type": kind}
        )
        if answer.status in (302, 303) and "/accounts/login/" in answer.headers.get("location", ""):
            session.cookies.pop("sessionid", None)  # signed out (a lost session): sign in again
            return False
        return answer.status == 302


def stack_pdf(text: str) -> bytes:
    """A small valid PDF (guichet/testing.py's, pure bytes; Django is set up by main())."""
    from guichet.testing import pdf_bytes

    return pdf_bytes(comment=f"% {text}\n".encode())


@contextlib.contextmanager
def background_worker(env: dict[str, str], workdir: Path) -> Iterator[Callable[[], None]]:
    """The worker as systemd runs it (deploy/systemd/guichet-worker.service): tasks-recover for
    its id, then db_worker; started again 2 s after it exits (Restart=always, RestartSec=2).
    Yields `kill`: SIGKILL to the current worker (the supervisor then starts another)."""
    current: list[subprocess.Popen[bytes]] = []
    logfile = (workdir / "worker.log").open("ab")
    lock = threading.Lock()
    stopping = threading.Event()
    guichet = str(stack.BIN / "guichet")

    def start() -> None:
        subprocess.run(  # noqa: S603
            [guichet, "tasks-recover", "--worker-id", "faults-host"],
            env=env,
            stdout=logfile,
            stderr=logfile,
            check=False,
        )
        current[:] = [
            subprocess.Popen(  # noqa: S603
                [guichet, "db_worker", "--interval", "0.2", "--worker-id", "faults-host"],
                env=env,
                stdout=logfile,
                stderr=logfile,
            )
        ]

    def supervise() -> None:
        while not stopping.wait(0.5):
            with lock:
                if current and current[0].poll() is not None and not stopping.is_set():
                    time.sleep(2)
                    start()

    def kill() -> None:
        with lock:
            if current and current[0].poll() is None:
                current[0].kill()
                current[0].wait()

    start()
    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    try:
        yield kill
    finally:
        stopping.set()
        supervisor.join(30)
        for process in current:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Injector(threading.Thread):
    def __init__(
        self, action: Callable[[], None], every: tuple[float, float], first: float = 1.0
    ) -> None:
        super().__init__(daemon=True)
        self.action, self.every, self.first = action, every, first
        self.stopped = threading.Event()
        self.count = 0

    def run(self) -> None:
        if self.stopped.wait(self.first):
            return
        while not self.stopped.is_set():
            try:
                self.action()
                self.count += 1
            except (ProcessLookupError, subprocess.CalledProcessError, OSError) as error:
                log(f"  fault injection failed: {error}")
            if self.stopped.wait(random.uniform(*self.every)):  # noqa: S311
                return


def check(
    cluster: pgcluster.Cluster,
    env: dict[str, str],
    scenario: str,
    count: int,
    mail_dir: Path,
    media: Path,
) -> list[str]:
    """What was lost or doubled in `scenario`, in words; empty when everything held."""
    from pypdf import PdfReader

    lost: list[str] = []
    with psycopg.connect(env["DATABASE_URL"]) as conn:

        def q(sql: str, *p: Any) -> list[tuple[Any, ...]]:
            return conn.execute(sql, p).fetchall()

        for client in range(CLIENTS):
            for i in range(count):
                marker = f"Faute {scenario} client {client} dossier {i}"
                rows = q(
                    "SELECT id, number, state FROM dossiers_dossier WHERE applicant_name = %s",
                    marker,
                )
                if len(rows) != 1:
                    lost.append(f"{marker}: {len(rows)} dossier(s)")
                    continue
                pk, number, state = rows[0]
                kinds = Counter(
                    k
                    for (k,) in q(
                        "SELECT kind FROM dossiers_dossierevent WHERE dossier_id = %s", pk
                    )
                )
                doubled = sorted(k for k, n in kinds.items() if n > 1)
                missing = sorted(EXPECTED_EVENTS - set(kinds))
                if doubled:
                    lost.append(f"{number}: events doubled {doubled}")
                if missing:
                    lost.append(f"{number}: events missing {missing}")
                if state != "decided":
                    lost.append(f"{number}: state {state}")
                docs = q("SELECT file FROM dossiers_document WHERE dossier_id = %s", pk)
                if len(docs) != 1 or not all((media / f).is_file() for (f,) in docs):
                    lost.append(f"{number}: {len(docs)} document(s) or a file missing")
        letters = q(
            "SELECT l.id, l.file, l.notified_at, l.event_seq, l.dossier_id FROM dossiers_letter l "
            "JOIN dossiers_dossier d ON d.id = l.dossier_id WHERE d.applicant_name LIKE %s",
            f"Faute {scenario} %",
        )
        tasks = q(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status <> 'SUCCESSFUL' GROUP BY status"
        )
    for pk, name, notified_at, _seq, _dossier in letters:
        path = media / name
        try:
            PdfReader(io.BytesIO(path.read_bytes())).pages[0]  # noqa: B018 (it must open)
        except Exception as error:  # a missing or broken letter, whatever pypdf says
            lost.append(f"letter {pk}: {type(error).__name__}")
        if notified_at is None:
            lost.append(f"letter {pk}: e-mail never sent")
    sent: Counter[str] = Counter()
    for message_file in mail_dir.glob("*.log"):
        for part in message_file.read_text().split("\n" + "-" * 79 + "\n"):
            if part.strip():
                key = email.message_from_string(part.strip()).get("Message-ID")
                if key:
                    sent[key] += 1
    keys = {f"<lettre-{pk}-{seq}.{dossier}@" for pk, _n, _a, seq, dossier in letters}
    for prefix in keys:
        if not any(key.startswith(prefix) for key in sent):
            lost.append(f"e-mail {prefix}…> never sent")
    repeated = sum(n - 1 for key, n in sent.items() if n > 1)
    if tasks:
        lost.append(f"tasks unfinished: {dict(tasks)}")
    guichet = str(stack.BIN / "guichet")
    clocks = subprocess.run(
        [guichet, "rederive-clocks", "--fail-on-difference"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # noqa: S603
    if clocks.returncode != 0:
        lost.append(f"clocks: {clocks.stdout.strip().splitlines()[-1:]}")
    chain = subprocess.run(
        [guichet, "access-log", "verify"], env=env, capture_output=True, text=True, check=False
    )  # noqa: S603
    if chain.returncode != 0:
        lost.append(f"access log: {(chain.stdout + chain.stderr).strip().splitlines()[:1]}")
    log(
        f"  {scenario}: {len(letters)} letters, {sum(sent.values())} e-mails "
        f"({repeated} repeated under the same key)"
    )
    return lost


def drain(env: dict[str, str], timeout: float) -> None:
    """Until no task waits or runs; the recovery timer's sweep (transient failures) once."""
    guichet = str(stack.BIN / "guichet")
    subprocess.run(
        [guichet, "tasks-recover", "--stale-after", "60"], env=env, capture_output=True, check=False
    )  # noqa: S603
    deadline = time.monotonic() + timeout
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        while time.monotonic() < deadline:
            left = conn.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()
            if left and left[0] == 0:
                return
            time.sleep(0.5)


def scenario_run(
    name: str,
    cluster: pgcluster.Cluster,
    base_env: dict[str, str],
    workdir: Path,
    token: str,
    count: int,
    limit: float,
) -> list[str]:
    mail_dir = workdir / f"mail-{name}"
    mail_dir.mkdir()
    env = {**base_env, "EMAIL_FILE_PATH": str(mail_dir)}
    media = Path(env["GUICHET_MEDIA_ROOT"])
    with (
        stack.gunicorn(env, workdir, workers=3) as app,
        background_worker(env, workdir) as kill_worker,
    ):

        def kill_gunicorn_worker() -> None:
            pids = app.worker_pids()
            if pids:
                os.kill(random.choice(pids), signal.SIGKILL)  # noqa: S311

        mid_task: list[int] = []

        def kill_background_worker() -> None:
            # Preferably while it runs a task (claimed, not finished): the case to recover.
            deadline = time.monotonic() + 3
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
                while time.monotonic() < deadline:
                    running = conn.execute(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE status = 'RUNNING'"
                    ).fetchone()
                    if running and running[0]:
                        mid_task.append(1)
                        break
                    time.sleep(0.02)
            kill_worker()

        def restart_postgres() -> None:
            cluster.stop("immediate")
            time.sleep(0.5)
            cluster.start()

        injectors = {
            "gunicorn_kill9": Injector(kill_gunicorn_worker, (2.5, 4.0)),
            "worker_kill9": Injector(kill_background_worker, (0.5, 1.5), first=0.5),
            "postgres_restart": Injector(restart_postgres, (6.0, 9.0), first=3.0),
        }
        injector = injectors[name]
        clients = [
            Client(i, name, count, app.port, token, env["DATABASE_URL"]) for i in range(CLIENTS)
        ]
        started = time.monotonic()
        injector.start()
        for client in clients:
            client.start()
        for client in clients:
            client.join(max(1.0, limit - (time.monotonic() - started)))
        injector.stopped.set()
        injector.join(30)
        if name == "postgres_restart" and not cluster.running():
            cluster.start()
        drain(env, 90)
        lost = [p for c in clients for p in c.problems]
        if any(c.is_alive() for c in clients):
            lost.append("clients still working at the time limit")
        retries = sum(c.retries for c in clients)
        log(
            f"  {name}: {injector.count} fault(s) injected"
            f"{f' ({len(mid_task)} while a task ran)' if name == 'worker_kill9' else ''}, "
            f"{retries} client retries, "
            f"{time.monotonic() - started:.0f} s"
        )
    return lost + check(cluster, env, name, count, mail_dir, media)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", choices=["gunicorn_kill9", "worker_kill9", "postgres_restart"], action="append"
    )
    parser.add_argument("--dossiers", type=int, default=3, help="per client (8 clients)")
    parser.add_argument("--limit", type=float, default=300, help="seconds per scenario at most")
    args = parser.parse_args(argv)
    scenarios = args.only or ["gunicorn_kill9", "worker_kill9", "postgres_restart"]
    server = pgcluster.server_bin()
    if server is None:
        print("FAULTS skipped: PostgreSQL's server binaries are not installed")
        return 1
    held = True
    with pgcluster.workspace() as folder, pgcluster.primary(folder, server) as cluster:
        workdir = Path(tempfile.mkdtemp(prefix="guichet-faults-", dir="/tmp"))  # noqa: S108
        cluster.psql("postgres", "CREATE DATABASE guichet")
        from cryptography.fernet import Fernet

        env = stack.app_environment(
            cluster.url("guichet"),
            workdir,
            SECRET_KEY="faults-" + uuid.uuid4().hex * 2,
            GUICHET_FIELD_KEYS=Fernet.generate_key().decode(),
            GUICHET_ACCESS_LOG_KEY="faults-" + uuid.uuid4().hex,
            ALLOWED_HOSTS=stack.HOST_NAME,
            GUICHET_STAFF_MFA_REQUIRED="false",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            GUICHET_GRACEFUL_TIMEOUT="5",
        )
        # This process reads Guichet's modules too (the test PDF): the same settings.
        os.environ.update(env)
        import django

        django.setup()
        guichet = str(stack.BIN / "guichet")
        for command in (
            ("migrate", "--no-input", "-v", "0"),
            ("load-calendar", "calendars/quebec.toml"),
            *(("load-declaration", str(p)) for p in sorted(stack.ROOT.glob("declarations/*.toml"))),
        ):
            subprocess.run(
                [guichet, *command], env=env, check=True, capture_output=True, cwd=stack.ROOT
            )  # noqa: S603
        token = (
            subprocess.run(  # noqa: S603
                [guichet, "shell", "-c", SETUP], env=env, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for name in scenarios:
            log(f"FAULTS scenario {name}: {CLIENTS} clients, {args.dossiers} dossiers each")
            lost = scenario_run(name, cluster, env, workdir, token, args.dossiers, args.limit)
            if lost:
                held = False
                shown = "; ".join(lost[:5]) + (f"; … {len(lost) - 5} more" if len(lost) > 5 else "")
                print(f"FAULTS {name} {shown}", flush=True)
            else:
                print(f"FAULTS {name} held", flush=True)
        if held:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"FAULTS logs kept in {workdir}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
