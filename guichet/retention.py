"""The registry of records kept by the apps other than the dossiers' (contact, appointments,
complaints, surveys, referrals: some sit at or above the privacy app's layer, and one way in
for all keeps the purge from knowing their models). Each such app says, in a module
`guichet/<app>/retention.py`, which of its records a rule of the retention calendar makes
due, and how it destroys or anonymizes one:

    from guichet.retention import Due, register_retention

    def _due(cutoff: date, action: str) -> list[Due]:
        ...  # records whose period ended on or before `cutoff`, not yet dealt with

    def _apply(record, *, action: str, why: str, actor_label: str, staff_ids: set[int]) -> bool:
        ...  # False when the record is gone since the plan was made

    register_retention("complaints", due=_due, apply=_apply)

The purge (guichet/privacy/purge.py) owns the calendar, the legal holds and the transaction;
each `Due` names the people and dossiers its record is about, so that a hold on either spares
it. This module imports no app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Due:
    """One record a rule makes due, with what a legal hold may name."""

    label: str
    record: Any
    person_ids: frozenset[int] = frozenset()
    emails: frozenset[str] = frozenset()
    dossier_ids: frozenset[int] = frozenset()
    dossier_numbers: frozenset[str] = frozenset()


class Apply(Protocol):
    def __call__(
        self, record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]
    ) -> bool: ...


@dataclass(frozen=True)
class Retained:
    kind: str
    due: Callable[[date, str], list[Due]]
    apply: Apply


_registry: dict[str, Retained] = {}
_discovered = False


def register_retention(kind: str, *, due: Callable[[date, str], list[Due]], apply: Apply) -> None:
    _registry[kind] = Retained(kind, due, apply)


def retained(kind: str) -> Retained | None:
    """The app's handling of a kind of record, or None when no app registered it."""
    global _discovered
    if not _discovered:
        autodiscover_modules("retention")
        _discovered = True
    return _registry.get(kind)
