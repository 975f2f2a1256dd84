"""Fixtures shared by the apps' tests: the real data files, loaded into the test database."""

from pathlib import Path

import pytest
from django.conf import settings

from guichet.calendars.services import calendar_load
from guichet.catalogue.models import Declaration
from guichet.catalogue.services import declaration_load

MICC = Path(settings.GUICHET_DECLARATIONS_DIR) / "micc.toml"
QUEBEC = Path(settings.GUICHET_CALENDARS_DIR) / "quebec.toml"


@pytest.fixture
def micc(db: None) -> Declaration:
    return declaration_load(path=MICC).declaration


@pytest.fixture
def quebec_calendar(db: None) -> None:
    calendar_load(path=QUEBEC)
