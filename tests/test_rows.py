"""Model instances from plain rows (guichet/rows.py): columns in any order, the rest deferred."""

import pytest

from guichet.accounts.models import User
from guichet.rows import from_row

pytestmark = pytest.mark.django_db


def test_columns_in_any_order_and_the_others_load_when_asked() -> None:
    saved = User.objects.create_user("ana@example.org", full_name="Ana Souza")

    user = from_row(User, ["full_name", "id"], ["Ana Souza", saved.pk])

    assert (user.pk, user.full_name) == (saved.pk, "Ana Souza")
    assert user.get_deferred_fields() >= {"email", "is_active"}
    assert not user._state.adding
    assert user.email == "ana@example.org"  # read from the database on demand


def test_an_unknown_column_is_refused() -> None:
    with pytest.raises(ValueError, match="User has no column nom"):
        from_row(User, ["id", "nom"], [1, "Ana"])


def test_values_go_through_the_orm_converters() -> None:
    """Times come back aware and booleans as booleans on either database, as from the ORM."""
    from django.db import connection

    saved = User.objects.create_user("ana@example.org", full_name="Ana Souza")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, date_joined, is_active FROM accounts_user WHERE id = %s", [saved.pk]
        )
        row = cursor.fetchone()

    user = from_row(User, ["id", "date_joined", "is_active"], row)

    assert user.date_joined == saved.date_joined
    assert user.date_joined.tzinfo is not None
    assert user.is_active is True
