"""The production shape on the loopback, for the tests and `make faults`: gunicorn with
deploy/gunicorn.conf.py, Debian's nginx with deploy/nginx/, each on a free port, each a child
process of the caller that it stops itself. Nothing here touches a service of the machine."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
HOST_NAME = "guichet.example.gouv.qc.ca"


def free_port() -> int:
    """A TCP port free on the loopback now (the kernel's choice, as for port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, process: subprocess.Popen[Any] | None = None, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server left with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """The URL of a Django connection's database (the test database once pytest made it)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    port = settings_dict.get("PORT") or 5432
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def app_environment(database: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a Guichet process: the caller's, without its database, plus these."""
    # Not the test run's own: its database, pytest's variables, and the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE (which `check --deploy` rightly refuses).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "PYTEST")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DATABASE_URL=database,
        GUICHET_VAR_DIR=str(var_dir),
        GUICHET_MEDIA_ROOT=str(var_dir / "media"),
        DJANGO_SETTINGS_MODULE="guichet.settings",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def worker_pids(self) -> list[int]:
        """The pids of the master's current workers (its children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = 2) -> Iterator[Gunicorn]:
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port."""
    port = free_port()
    log = workdir / f"gunicorn-{port}.log"
    process = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn)
        [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")],
        env={**env, "GUICHET_BIND": f"127.0.0.1:{port}", "GUICHET_WORKERS": str(workers)},
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Gunicorn(process, port, log)
    try:
        wait_for_port(port, process)
        yield server
    finally:
        server.stop()


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for HOST_NAME and its key, made here (cryptography), for nginx's TLS."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST_NAME)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST_NAME)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    https_port: int
    http_port: int
    prefix: Path


def nginx_site(prefix: Path, upstream_port: int, static_root: Path) -> tuple[str, int, int]:
    """deploy/nginx/guichet.conf as is, but for the few values a machine adapts (ports, paths):
    each replaced value must be found, so that the test follows the file."""
    https_port, http_port = free_port(), free_port()
    cert, key = self_signed_certificate(prefix)
    site = (DEPLOY / "nginx" / "guichet.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000": f"server 127.0.0.1:{upstream_port}",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/ssl/guichet/fullchain.pem": str(cert),
        "/etc/ssl/guichet/privkey.pem": str(key),
        "/var/log/nginx/guichet.access.log": str(prefix / "access.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/guichet.conf no longer has {old!r}"
        site = site.replace(old, new)
    # No IPv6 on every test machine's loopback.
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    snippets = prefix / "snippets"
    snippets.mkdir()
    for snippet in (DEPLOY / "nginx" / "snippets").glob("*.conf"):
        text = snippet.read_text()
        if snippet.name == "guichet-locations.conf":
            assert "/var/lib/guichet/static/" in text
            text = text.replace("/var/lib/guichet/static/", f"{static_root}/")
        (snippets / snippet.name).write_text(text)
    return site, https_port, http_port


@contextlib.contextmanager
def nginx(workdir: Path, upstream_port: int, static_root: Path) -> Iterator[Nginx]:
    """Debian's nginx in the foreground, with a prefix of its own under `workdir`."""
    binary = nginx_binary()
    assert binary is not None
    prefix = workdir / "nginx"
    prefix.mkdir()
    site, https_port, http_port = nginx_site(prefix, upstream_port, static_root)
    (prefix / "guichet.conf").write_text(site)
    # As root nginx's workers would run as nobody, who cannot read a test's private folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/guichet.conf;
}}
"""
    )
    command = [binary, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)  # noqa: S603
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stderr=(prefix / "stderr.log").open("wb"))  # noqa: S603
    try:
        wait_for_port(https_port, process)
        yield Nginx(process, https_port, http_port, prefix)
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    source: str = "127.0.0.1",
    tls: bool = True,
    timeout: float = 30,
) -> Answer:
    """One request to 127.0.0.1:`port` from the loopback address `source` (127.0.0.2 is a
    client other than the proxy), Host HOST_NAME."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=timeout, source_address=(source, 0), context=context
        )
    else:
        conn = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
        )
    try:
        conn.request(method, path, body=body, headers={"Host": HOST_NAME, **(headers or {})})
        response = conn.getresponse()
        # Header names in lower case; repeated ones joined as HTTP allows.
        found: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            found[key] = f"{found[key]}, {value}" if key in found else value
        return Answer(response.status, found, response.read())
    finally:
        conn.close()


@dataclass
class Load:
    """Requests sent in a loop by a few threads until stopped; every failure is kept."""

    port: int
    paths: tuple[str, ...]
    clients: int = 4
    tls: bool = False
    sent: int = 0
    failures: list[str] | None = None

    def __post_init__(self) -> None:
        import threading

        self.failures = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.clients)
        ]

    def _run(self, index: int) -> None:
        turn = index
        while not self._stop.is_set():
            path = self.paths[turn % len(self.paths)]
            turn += 1
            try:
                answer = request(self.port, path, tls=self.tls, timeout=30)
                problem = None if answer.status == 200 else f"{path}: HTTP {answer.status}"
            except OSError as error:
                problem = f"{path}: {type(error).__name__} {error}"
            with self._lock:
                self.sent += 1
                if problem:
                    assert self.failures is not None
                    self.failures.append(problem)

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def wait_until(condition: Any, timeout: float = 30, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError("the condition never held")
