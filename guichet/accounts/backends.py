"""How Guichet reads the signed-in person: Django's ModelBackend, whose `get_user` (asked by
AuthenticationMiddleware on every request of a session) also reads what the middleware asks of
that person on every page, in the same query (`request_user_read`): whether they have an
authenticator application, belong to a unit or hold a global role, and the latest change of
their language of service. A client's page thus costs two queries before its view (the
session, the person) instead of six. Passwords are checked exactly as ModelBackend does.

The query is built and compiled by the ORM once per process, then run with each person's id:
building it (four subqueries) cost more CPU than running it (docs/appointments.md, bench)."""

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from guichet.accounts.models import User, keep_arrival, request_user_read

# An id no account has, found again among the compiled query's parameters.
_PLACEHOLDER = -7_340_029


@functools.cache
def _compiled(vendor: str) -> tuple[str, tuple[Any, ...], int]:
    sql, params = request_user_read().filter(pk=_PLACEHOLDER).query.sql_with_params()
    where = [i for i, value in enumerate(params) if value == _PLACEHOLDER]
    if len(where) != 1:
        raise RuntimeError(f"the person's id appears {len(where)} times in {sql!r}")
    return sql, tuple(params), where[0]


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        sql, params, at = _compiled(connection.vendor)
        values = list(params)
        values[at] = int(user_id)
        user = next(iter(User.objects.raw(sql, values)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        return keep_arrival(user)
