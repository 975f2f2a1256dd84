"""The per-process cache of services and commitments (`catalogue/selectors.py`) against the one
change a loaded version may still receive: performance targets published after it was loaded
(`services._add_targets`), which another process (`guichet load-declaration`) writes while the
application's workers keep their caches."""

from pathlib import Path
from typing import Any

import pytest

from guichet.catalogue.models import (
    WRITTEN_AFTER_LOADING,
    Commitment,
    Declaration,
    QualitativeCommitment,
    RequiredDocument,
    Service,
    ServiceGroup,
)
from guichet.catalogue.selectors import service_with_commitments
from guichet.catalogue.services import LoadOutcome, declaration_load
from guichet.testing import MICC

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = (Declaration, ServiceGroup, Service, RequiredDocument, Commitment)


def _without_targets(tmp_path: Path) -> Path:
    text = "\n".join(
        line
        for line in MICC.read_text(encoding="utf-8").split("\n")
        if not line.startswith("performance_target")
    )
    path = tmp_path / "micc-sans-cibles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_targets_added_after_the_cache_was_filled_are_read_at_once(tmp_path: Path) -> None:
    """A worker has served a dossier page: the service and its commitments are in its cache.
    The targets are then added by the loader, which cannot reach that cache (it runs in
    another process): the worker's next read has them, and the new checksum."""
    declaration_load(path=_without_targets(tmp_path))
    service = Service.objects.get(code="francais-temps-complet")
    cached_service, cached = service_with_commitments(service.pk)
    assert [(c.code, c.performance_target) for c in cached] == [
        ("francais-tc-admissibilite", None),
        ("francais-tc-debut-cours", None),
    ]
    loaded_without = cached_service.declaration.checksum

    assert declaration_load(path=MICC).outcome is LoadOutcome.TARGETS_ADDED

    read_service, read = service_with_commitments(service.pk)
    assert [(c.code, c.performance_target) for c in read] == [
        ("francais-tc-admissibilite", 90),
        ("francais-tc-debut-cours", 80),
    ]
    assert read_service.declaration.checksum == Declaration.objects.get().checksum
    assert read_service.declaration.checksum != loaded_without


def _every_column(model: type[Any]) -> dict[tuple[str, int, str], object]:
    names = [f.attname for f in model._meta.concrete_fields]
    return {
        (model.__name__, row["id"], name): row[name]
        for row in model.objects.values(*names)
        for name in names
    }


def test_adding_targets_writes_nothing_else_of_a_loaded_version(tmp_path: Path) -> None:
    """What the cache keeps never changes: the loader writes only the fields that
    `WRITTEN_AFTER_LOADING` names, which the cache does not keep."""
    declaration_load(path=_without_targets(tmp_path))
    models = (*CATALOGUE_MODELS, QualitativeCommitment)
    before = {k: v for m in models for k, v in _every_column(m).items()}

    declaration_load(path=MICC)

    after = {k: v for m in models for k, v in _every_column(m).items()}
    assert after.keys() == before.keys()
    changed = {
        (model, name)
        for (model, pk, name), value in after.items()
        if value != before[model, pk, name]
    }
    assert changed == {("Declaration", "checksum"), ("Commitment", "performance_target")}
    assert changed == {
        (model.__name__, name) for model, names in WRITTEN_AFTER_LOADING.items() for name in names
    }


def test_each_caller_gets_instances_of_its_own(micc: Declaration) -> None:
    """A caller may set attributes on what it is given (the dossier getter sets the service on
    its dossier); the next caller does not see them."""
    service = Service.objects.get(code="caq-etudiant")
    first_service, first = service_with_commitments(service.pk)
    first_service.name_fr = "autre nom"
    first[0].target = 99

    again_service, again = service_with_commitments(service.pk)

    assert again_service.name_fr == service.name_fr
    assert [c.target for c in again] == [20]
    assert again[0].service is again_service
    assert again_service.declaration == micc


def test_a_cached_service_is_read_without_a_query(
    micc: Declaration, django_assert_num_queries: Any
) -> None:
    service = Service.objects.get(code="caq-etudiant")
    service_with_commitments(service.pk)

    with django_assert_num_queries(0):
        again, commitments = service_with_commitments(service.pk)
        fields = (again.code, again.declaration.version, [(c.code, c.target) for c in commitments])

    assert fields == ("caq-etudiant", micc.version, [("caq-etudes-decision", 20)])
