"""Keyset pagination (guichet/pagination.py), on a real table: every row once, in order, one
query a page, and rows added meanwhile never shift the next page."""

from typing import Any

import pytest

from guichet.accounts.models import Unit
from guichet.pagination import before_id, keyset_page, newest_first_page

pytestmark = pytest.mark.django_db


def units(count: int) -> list[int]:
    """`count` units, their ids from the oldest."""
    return [Unit.objects.create(code=f"u{i}", name=f"Unité {i}").pk for i in range(count)]


def walk(size: int) -> list[list[int]]:
    """Every page of the units, newest first, as the screens do: `?avant=` the last cursor."""
    pages, before = [], None
    while True:
        page = newest_first_page(Unit.objects.all(), before, size)
        pages.append([u.pk for u in page.items])
        if not page.has_more:
            assert page.next_cursor == ""
            return pages
        assert page.next_cursor == str(page.items[-1].pk)
        before = before_id(page.next_cursor)


def test_pages_give_every_row_once_newest_first() -> None:
    ids = units(7)
    newest = ids[::-1]

    assert walk(3) == [newest[0:3], newest[3:6], newest[6:7]]
    assert walk(7) == [newest]  # exactly one full page: no empty page after it
    assert walk(6) == [newest[0:6], newest[6:7]]
    assert walk(50) == [newest]


def test_no_rows_is_one_empty_last_page() -> None:
    page = newest_first_page(Unit.objects.all(), None, 10)

    assert (page.items, page.next_cursor, page.has_more) == ([], "", False)


def test_rows_added_meanwhile_do_not_shift_the_next_page() -> None:
    ids = units(5)
    first = newest_first_page(Unit.objects.all(), None, 2)
    units_after = [Unit.objects.create(code=f"n{i}", name="Nouvelle").pk for i in range(3)]

    second = newest_first_page(Unit.objects.all(), before_id(first.next_cursor), 2)

    assert [u.pk for u in first.items] == [ids[4], ids[3]]
    assert [u.pk for u in second.items] == [ids[2], ids[1]]
    assert not set(units_after) & {u.pk for u in second.items}


def test_the_order_is_the_helpers_own() -> None:
    """Whatever order the caller's query had, a newest-first page is newest first by id."""
    ids = units(3)

    page = newest_first_page(Unit.objects.order_by("pk"), None, 2)

    assert [u.pk for u in page.items] == [ids[2], ids[1]]


def test_a_page_is_one_query(django_assert_num_queries: Any) -> None:
    ids = units(5)
    with django_assert_num_queries(1):
        page = newest_first_page(Unit.objects.all(), ids[3], 2)
    assert [u.pk for u in page.items] == [ids[2], ids[1]]


def test_any_order_and_cursor_the_caller_chooses() -> None:
    """`keyset_page` itself: the caller orders and starts the rows (here by name, then id,
    as the worklist does by due date, then id) and says what the cursor of a row is."""
    for code, name in (("a", "Charlie"), ("b", "Alpha"), ("c", "Bravo"), ("d", "Alpha")):
        Unit.objects.create(code=code, name=name)
    rows = Unit.objects.order_by("name", "pk").values_list("name", "code")

    page = keyset_page(rows, 3, lambda row: f"{row[0]}_{row[1]}")
    rest = keyset_page(rows.filter(name__gt="Bravo"), 3, lambda row: f"{row[0]}_{row[1]}")

    assert page.items == [("Alpha", "b"), ("Alpha", "d"), ("Bravo", "c")]
    assert (page.next_cursor, page.has_more) == ("Bravo_c", True)
    assert (rest.items, rest.next_cursor) == ([("Charlie", "a")], "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("12", 12),
        ("1", 1),
        ("0", None),
        ("-3", None),
        ("abc", None),
        ("1.5", None),
        ("12abc", None),
    ],
)
def test_the_id_to_start_before_comes_from_the_address(raw: str, expected: int | None) -> None:
    assert before_id(raw) == expected
