"""Reads of the catalogue that every dossier page and API call makes, kept per process.

A loaded version of a declaration does not change: a new version is loaded beside the old one
with services of its own (new ids), and the admin shows the catalogue read-only. The one
exception is a version loaded before its performance targets were published: loading the file
again adds them (`services._add_targets`), from another process (`guichet load-declaration`)
while the application's workers run. So the cache keeps every field of a service, its
declaration and its commitments except those a later load may write
(`models.WRITTEN_AFTER_LOADING`): kept, they would stay stale in every worker. Each call gets
instances of its own, built from the kept values without a query; a field left out loads from
the database when read, so it is always current.

`forget_catalogue` empties the cache (tests, whose rolled-back ids can be reused by the next
test on SQLite).
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.base import ModelState

from guichet.catalogue.models import WRITTEN_AFTER_LOADING, Commitment, Declaration, Service

M = TypeVar("M", bound=models.Model)


def _kept_fields(model: type[models.Model]) -> tuple[str, ...]:
    later = WRITTEN_AFTER_LOADING.get(model, ())
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in later)


KEPT: dict[type[models.Model], tuple[str, ...]] = {
    model: _kept_fields(model) for model in (Declaration, Service, Commitment)
}


@dataclass(frozen=True)
class _Kept:
    declaration: tuple[Any, ...]
    service: tuple[Any, ...]
    commitments: tuple[tuple[Any, ...], ...]


_services: dict[int, _Kept] = {}


def service_with_commitments(service_id: int) -> tuple[Service, tuple[Commitment, ...]]:
    """The service (with its declaration) and its commitments in their published order."""
    kept = _services.get(service_id)
    if kept is None:
        kept = _services[service_id] = _read(service_id)
    service = _instance(Service, kept.service)
    # What `service.declaration = ...` does, without checking again what was checked on loading.
    service._state.fields_cache["declaration"] = _instance(Declaration, kept.declaration)
    commitments = tuple(_instance(Commitment, values) for values in kept.commitments)
    for commitment in commitments:
        commitment._state.fields_cache["service"] = service
    return service, commitments


def _read(service_id: int) -> _Kept:
    service = Service.objects.select_related("declaration").get(pk=service_id)
    return _Kept(
        declaration=_values(service.declaration),
        service=_values(service),
        commitments=tuple(_values(c) for c in service.commitments.order_by("position")),
    )


def _values(instance: models.Model) -> tuple[Any, ...]:
    return tuple(getattr(instance, name) for name in KEPT[type(instance)])


def _instance(model: type[M], values: tuple[Any, ...]) -> M:
    """An instance as the ORM loads one with the kept fields only (the others deferred).

    Built the way Django unpickles a model instance (`__new__`, its fields, a fresh state)
    rather than through `from_db`, whose `__init__` cost ten times as much: this runs for the
    service and each commitment of every dossier whose clocks are derived."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(KEPT[model], values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    return instance


def forget_catalogue() -> None:
    _services.clear()
