"""Keyset pagination, for the long lists of the staff screens (the worklist, the access log,
the history of access changes).

A page is cut at the position of the last row shown (its id, or its due date and id), never
at an offset: the next page reads as few rows however deep it is, and rows added meanwhile
do not shift it. The caller orders the rows and starts them after the cursor it was given;
`keyset_page` reads one row more than it shows, to know whether another page follows, and
gives the cursor of the next page. Lists shown newest first by id (`newest_first_page`) take
the id to start before from the address (`?avant=`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str  # where the next page starts; "" on the last page

    @property
    def has_more(self) -> bool:
        return bool(self.next_cursor)


def keyset_page(rows: QuerySet[Any, T], size: int, cursor_of: Callable[[T], str]) -> Page[T]:
    """The first `size` of `rows` (already ordered and started after the current cursor), and
    `cursor_of` the last of them if more follow."""
    fetched = list(rows[: size + 1])
    items = fetched[:size]
    return Page(items, cursor_of(items[-1]) if len(fetched) > size else "")


def before_id(raw: str) -> int | None:
    """The id a newest-first page starts before, as given in the address; None (the first
    page) for anything but a positive whole number."""
    try:
        before = int(raw)
    except ValueError:
        return None
    return before if before > 0 else None


def newest_first_page(queryset: QuerySet[M], before: int | None, size: int) -> Page[M]:
    """A page of `queryset`, newest first by id, of the rows older than `before` (from the
    newest when None)."""
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    return keyset_page(queryset.order_by("-pk"), size, lambda row: str(row.pk))
