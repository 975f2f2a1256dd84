"""« Erreur : » at the start of the title of every page that shows an error summary.

A person using a screen reader hears the page's title first: GOV.UK's pattern (and Québec's
design system) starts it with "Error: " when the form came back with errors. Every form of
Guichet shows its errors through an error summary (`includes/form_errors.html`, the log-in's
and the incident's own), so the title is prefixed here, once, on the way out, rather than in
each of the forty templates that show one. The page is rendered already: only the text of its
`<title>` changes, in the language of the page.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext

SUMMARY_MARK = b'class="error-summary"'
TITLE = re.compile(rb"<title>\s*")


def error_title_prefix() -> str:
    return gettext("Erreur : ")


class ErrorTitleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or SUMMARY_MARK not in response.content  # type: ignore[attr-defined]
        ):
            return response
        prefix = error_title_prefix().encode()
        content: bytes = response.content  # type: ignore[attr-defined]
        match = TITLE.search(content)
        if match and not content[match.end() :].startswith(prefix):
            response.content = content[: match.end()] + prefix + content[match.end() :]  # type: ignore[attr-defined]
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response
