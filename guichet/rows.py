"""Model instances from the rows of plain statements, for the few hot paths that skip the ORM's
query compilation (every page's navigation, the dossier getters, the API's token check).

Values go through the same converters as the ORM's (dates and times, booleans, JSON on either
database), and the instance holds the columns read: any other field loads from the database
if asked for (Django's deferred fields), so a partial instance is never silently wrong.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, models

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


def from_row(model: type[M], names: Sequence[str], values: Sequence[Any]) -> M:
    """An instance of `model` as loaded from the database, with the fields `names` (attnames:
    `service_id`, not `service`) set to `values`, in any order."""
    given = dict(zip(names, values, strict=True))
    order, converters = _plan(model, frozenset(given), connection.vendor)
    row = []
    for name in order:
        value = given[name]
        for convert, col in converters[name]:
            value = convert(value, col, connection)
        row.append(value)
    return model.from_db(DEFAULT_DB_ALIAS, order, row)


@functools.cache
def _plan(
    model: type[models.Model], names: frozenset[str], vendor: str
) -> tuple[list[str], dict[str, list[tuple[Converter, Any]]]]:
    """The fields in the model's order (as `from_db` wants them) and each one's converters."""
    fields = [f for f in model._meta.concrete_fields if f.attname in names]
    if len(fields) != len(names):
        unknown = sorted(names - {f.attname for f in fields})
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    converters = {}
    for field in fields:
        col = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters[field.attname] = [(convert, col) for convert in found]
    return [f.attname for f in fields], converters
