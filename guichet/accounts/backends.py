"""How Guichet reads the signed-in person: Django's ModelBackend, whose `get_user` (asked by
AuthenticationMiddleware on every request of a session) also reads what the middleware asks of
that person on every page, in the same query (`request_user_read`): whether they have an
authenticator application, belong to a unit or hold a global role, and the latest change of
their language of service. A client's page thus costs two queries before its view (the
session, the person) instead of six. Passwords are checked exactly as ModelBackend does."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from guichet.accounts.models import keep_arrival, request_user_read


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = request_user_read().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return keep_arrival(user)
