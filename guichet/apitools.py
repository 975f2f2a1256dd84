"""What every app's API router uses (guichet/api.py puts the routers together): bearer-token
authentication and the validation error of one field. Below every app's router, above accounts.
"""

from django.http import HttpRequest
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from guichet.accounts.models import ApiToken
from guichet.accounts.selectors import api_token_for_secret


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <secret>`, for a token that is not revoked and whose service
    account is active."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return api_token_for_secret(token)


def request_token(request: HttpRequest) -> ApiToken:
    """The token that authenticated `request` (set by TokenAuth)."""
    token = request.auth  # type: ignore[attr-defined]
    if not isinstance(token, ApiToken):  # an operation declared without TokenAuth
        raise AuthenticationError()
    return token


def invalid(field: str, message: str) -> ValidationError:
    """A validation error on one body field, raised by an operation after the schema passed."""
    return ValidationError(
        [{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}]
    )
