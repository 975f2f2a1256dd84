"""Fixtures of the contact centre's tests: stored files in a temporary folder, and the real
mail servers of the e-mail tests (servers.py)."""

from pathlib import Path
from typing import Any

import pytest

from guichet.contact.tests.servers import imap_server, smtp_server

__all__ = ["imap_server", "media", "smtp_server"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)
