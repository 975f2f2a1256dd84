"""How django-axes names a client in its log lines: without the address or the IP."""

from django.http import HttpRequest


def client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str,
    request: HttpRequest,
) -> str:
    """Only the path: who failed to log in is kept in axes' table, not in the logs."""
    return f"{{path: {path_info!r}}}"
