"""Two headers on the way out of every response.

- `Permissions-Policy` denies every browser feature Guichet does not use (camera, microphone,
  geolocation, payment, USB, the advertising topics...): Guichet uses none of them, so none of
  them can be turned on by anything injected into a page.
- `Cache-Control: no-store, private` on every response that can show personal information:
  every response to a signed-in session (portal, back office, privacy officer, administration,
  documents and letters), to a request carrying an API token, and the account pages (log-in,
  sign-up, password, second factor), signed in or not. Neither the browser's cache nor a shared
  cache keeps them. Public pages (the catalogue, the privacy policy, the API's description)
  keep their ordinary caching.

Placed right after SecurityMiddleware, so that it also marks the responses of every other
middleware (redirects, refusals, error pages).
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "attribution-reporting",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "clipboard-write",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "join-ad-interest-group",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "run-ad-auction",
        "screen-wake-lock",
        "serial",
        "storage-access",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    )
)
# Where guichet/urls.py mounts the account pages (ours and django.contrib.auth's).
ACCOUNT_PAGES = "/accounts/"


class HeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _may_show_personal_information(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _may_show_personal_information(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META or request.path_info.startswith(ACCOUNT_PAGES):
        return True
    # Absent when a middleware before AuthenticationMiddleware answered (an HTTPS redirect).
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
