"""Every page is served with a strict Content Security Policy and refuses to be framed."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/openapi.json"])
def test_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_https_settings_in_production() -> None:
    """With GUICHET_REQUIRE_SECRET_KEY=true (production) the settings turn HTTPS on."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "GUICHET_REQUIRE_SECRET_KEY": "true",
        "SECRET_KEY": "x" * 50,
        "GUICHET_FIELD_KEYS": "",
        "DJANGO_SETTINGS_MODULE": "guichet.settings",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY)"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter and settings)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "True", "31536000", "True"]
