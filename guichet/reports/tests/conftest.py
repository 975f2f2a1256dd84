"""Fixtures of the reports tests: a fresh dashboard cache, a second version of the declaration."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from guichet.catalogue.models import Declaration
from guichet.catalogue.services import declaration_load
from guichet.reports.dashboard import clear_cache
from guichet.testing import MICC

V2_LABEL = "Décision sur un CAQ pour études (nouvelle formulation)"


@pytest.fixture(autouse=True)
def _fresh_dashboard() -> Iterator[None]:
    """Each test's first look at the dashboard rebuilds the shared clock table, and reads the
    other apps' measures afresh (they are kept a minute per process)."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def micc_v2(micc: Declaration, tmp_path: Path) -> Declaration:
    """A second version in force from 2027-01-01: the CAQ decision in 15 days, reworded, with
    a 90 % target."""
    text = MICC.read_text(encoding="utf-8")
    text = text.replace('version = "2023-04"', 'version = "2027-01"', 1)
    text = text.replace("in_force_from = 2023-04-01", "in_force_from = 2027-01-01")
    old = (
        "label_fr = \"Décision à la suite d'une demande de certificat d'acceptation du Québec "
        'pour études"\ntarget = 20'
    )
    assert old in text
    text = text.replace(old, f'label_fr = "{V2_LABEL}"\ntarget = 15', 1)
    block = text.index('code = "caq-etudes-decision"')
    end = text.index("performance_target = 85", block)
    text = text[:end] + "performance_target = 90" + text[end + len("performance_target = 85") :]
    path = tmp_path / "micc-2027.toml"
    path.write_text(text, encoding="utf-8")
    return declaration_load(path=path).declaration
