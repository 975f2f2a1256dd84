"""Model instances from the rows of plain statements, for the few hot paths that skip the ORM's
query compilation (the API's token check and status).

The instance holds the columns read; any other field loads from the database if asked for
(Django's deferred fields), so a partial instance is never silently wrong.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, models

M = TypeVar("M", bound=models.Model)


def from_row(model: type[M], names: Sequence[str], values: Sequence[Any]) -> M:
    """An instance of `model` as loaded from the database, with the fields `names` (attnames:
    `service_id`, not `service`) set to `values`, in any order."""
    given = dict(zip(names, values, strict=True))
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    if len(ordered) != len(given):
        unknown = sorted(set(given) - set(ordered))
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    return model.from_db(DEFAULT_DB_ALIAS, ordered, [given[name] for name in ordered])
