"""The deployment of deploy/: Debian's nginx with deploy/nginx/guichet.conf in front of gunicorn
with deploy/gunicorn.conf.py, both on free loopback ports (tests/stack.py), and the production
settings checked by `guichet check --deploy`.

A client on 127.0.0.2 talks to nginx on 127.0.0.1; nginx talks to gunicorn from 127.0.0.1, the
one proxy Guichet trusts (GUICHET_TRUSTED_PROXIES)."""

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection

from guichet.accounts.models import LoginThrottle
from guichet.dossiers.services import dossier_add_documents
from guichet.testing import Personas, checked, make_dossier, pdf_upload
from tests import stack

GUICHET = str(stack.BIN / "guichet")
needs_nginx = pytest.mark.skipif(
    stack.nginx_binary() is None,
    reason="Debian's nginx is not installed: run scripts/ensure-nginx.sh (make deploy-deps)",
)


def production_environment(var_dir: Path) -> dict[str, str]:
    """What deploy/guichet.env.example sets, with values of this test run."""
    from cryptography.fernet import Fernet

    values = {
        "GUICHET_REQUIRE_SECRET_KEY": "true",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-a-long-random-secret-key-for-this-test-only-0123456789",
        "GUICHET_FIELD_KEYS": Fernet.generate_key().decode(),
        "GUICHET_ACCESS_LOG_KEY": "a-long-random-access-log-key-for-this-test",
        "ALLOWED_HOSTS": stack.HOST_NAME,
        "GUICHET_PUBLIC_URL": f"https://{stack.HOST_NAME}",
        "GUICHET_TRUSTED_PROXIES": "127.0.0.1",
        "GUICHET_METRICS_TOKEN": "a-long-random-metrics-token-for-this-test",
    }
    return stack.app_environment(f"sqlite:///{var_dir / 'guichet.sqlite3'}", var_dir, **values)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    run = subprocess.run(  # noqa: S603
        [GUICHET, "check", "--deploy", "--fail-level", "WARNING"],
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    assert run.stdout.strip() == "System check identified no issues (0 silenced)."


def test_a_bad_production_setting_stops_the_start(tmp_path: Path) -> None:
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]
    run = subprocess.run(  # noqa: S603
        [GUICHET, "check", "--deploy"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "SECRET_KEY must be set in production" in run.stderr


def test_the_nginx_site_serves_no_folder_but_the_static_files() -> None:
    """Uploaded files live in GUICHET_MEDIA_ROOT and nginx must never map it: the only folder
    it serves itself is the collected static files."""
    text = "\n".join(path.read_text() for path in sorted((stack.DEPLOY / "nginx").rglob("*.conf")))
    directives = re.findall(r"^\s*(alias|root)\s+([^;]+);", text, flags=re.MULTILINE)
    assert directives == [("alias", "/var/lib/guichet/static/")]
    assert "client_max_body_size 51m;" in text


@pytest.fixture
def served(
    transactional_db: None, personas: Personas, tmp_path: Path, settings: Any
) -> Iterator[tuple[stack.Nginx, Path]]:
    """gunicorn on the test database behind nginx; yields nginx and the media folder."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    static_root = tmp_path / "static"
    env = stack.app_environment(
        stack.database_url(connection.settings_dict),
        tmp_path,
        SECRET_KEY=settings.SECRET_KEY,
        GUICHET_FIELD_KEYS=",".join(settings.GUICHET_FIELD_KEYS),
        GUICHET_ACCESS_LOG_KEY=settings.GUICHET_ACCESS_LOG_KEY,
        GUICHET_MEDIA_ROOT=str(media),
        GUICHET_HTTPS="true",
        ALLOWED_HOSTS=stack.HOST_NAME,
        GUICHET_TRUSTED_PROXIES="127.0.0.1",
    )
    subprocess.run(  # noqa: S603
        [GUICHET, "collectstatic", "--no-input", "-v", "0"], env=env, check=True
    )
    with (
        stack.gunicorn(env, tmp_path) as app,
        stack.nginx(tmp_path, app.port, static_root) as proxy,
    ):
        yield proxy, media


@needs_nginx
def test_static_files_come_from_nginx_with_the_security_headers(
    served: tuple[stack.Nginx, Path],
) -> None:
    proxy, _ = served
    answer = stack.request(proxy.https_port, "/static/guichet/guichet.css")
    assert answer.status == 200
    css = settings.BASE_DIR / "guichet" / "static" / "guichet" / "guichet.css"
    assert answer.body == css.read_bytes()
    assert answer.headers["content-type"] == "text/css"
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "server" not in answer.headers or answer.headers["server"] == "nginx"


@needs_nginx
def test_pages_keep_guichets_headers_through_the_proxy(served: tuple[stack.Nginx, Path]) -> None:
    proxy, _ = served
    page = stack.request(proxy.https_port, "/")
    assert page.status == 200
    # Django's own, once each (nginx adds none to proxied answers).
    assert (
        page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    )
    assert page.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "permissions-policy" in page.headers
    # Plain HTTP only redirects to HTTPS.
    plain = stack.request(proxy.http_port, "/dossiers/", tls=False)
    assert plain.status == 301
    assert plain.headers["location"] == f"https://{stack.HOST_NAME}/dossiers/"


def failed_log_in(port: int, email: str, forwarded: str) -> int:
    """One wrong password from 127.0.0.2, the client claiming to be `forwarded`."""
    form = stack.request(port, "/accounts/login/", source="127.0.0.2")
    cookie = form.headers["set-cookie"]
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    assert csrf_cookie and token
    body = (
        f"csrfmiddlewaretoken={token.group(1).decode()}&username={email}&password=wrong-password"
    ).encode()
    answer = stack.request(
        port,
        "/accounts/login/",
        method="POST",
        body=body,
        source="127.0.0.2",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Referer": f"https://{stack.HOST_NAME}/accounts/login/",
            "X-Forwarded-For": forwarded,
        },
    )
    return answer.status


@needs_nginx
def test_the_application_sees_the_clients_own_address(
    served: tuple[stack.Nginx, Path], personas: Personas
) -> None:
    proxy, _ = served
    email = personas.owner.email
    # The client's own X-Forwarded-For is overwritten by nginx, never believed.
    assert failed_log_in(proxy.https_port, email, "203.0.113.7") == 200
    assert failed_log_in(proxy.https_port, email, "203.0.113.8") == 200
    attempts = list(
        AccessAttempt.objects.values_list("ip_address", "username", "failures_since_start")
    )
    assert attempts == [("127.0.0.2", email, 2)]
    assert list(LoginThrottle.objects.values_list("network", "failures")) == [("127.0.0.2", 2)]


@needs_nginx
def test_uploaded_files_are_never_served_without_the_access_check(
    served: tuple[stack.Nginx, Path], personas: Personas
) -> None:
    proxy, media = served
    dossier = make_dossier(personas)
    [document] = dossier_add_documents(
        dossier=dossier, documents=[checked(pdf_upload("preuve.pdf"))], actor=personas.owner
    )
    stored = Path(document.file.path)
    assert stored.is_relative_to(media) and stored.exists()
    secret = stored.read_bytes()
    relative = stored.relative_to(media).as_posix()
    for path in (f"/media/{relative}", f"/{relative}", f"/static/../media/{relative}"):
        answer = stack.request(proxy.https_port, path)
        assert answer.status in (400, 404), path
        assert secret not in answer.body
    # The access-checked view: an anonymous visitor is sent to log in, and gets no byte.
    view = stack.request(proxy.https_port, f"/dossiers/{dossier.number}/documents/{document.pk}/")
    assert view.status == 302
    assert view.headers["location"].startswith("/accounts/login/?next=")
    assert secret not in view.body


UNITS = sorted((stack.DEPLOY / "systemd").glob("*.service"))
needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


@needs_systemd_analyze
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_is_valid_and_sandboxed(unit: Path) -> None:
    verify = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", "--man=no", str(unit)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    # The only complaints allowed: the programs are not installed on this machine.
    problems = [
        line
        for line in verify.stderr.splitlines()
        if line.strip() and "is not executable: No such file or directory" not in line
    ]
    assert problems == []
    security = subprocess.run(  # noqa: S603
        ["systemd-analyze", "security", "--offline=true", str(unit)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", security.stdout)
    assert level is not None, security.stdout[-500:]
    assert float(level.group(1)) <= 2.0, security.stdout  # systemd's scale: 0 safe … 10 exposed
