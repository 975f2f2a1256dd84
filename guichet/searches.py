"""Staff searches that name a person, kept out of addresses.

A search sent with GET puts its terms in the address: an e-mail address searched for would
end up in every web server's and proxy's access log, in the browser's history and in the
Referer of the next request. Such searches are sent with POST (with the CSRF token) instead;
their criteria are kept in the session, on the server, under a short random reference, and the
results page's address carries only that reference: it can be reloaded, paged and bookmarked
for as long as the session lasts.

    ref = search_remember(request, "journal", {"personne": "a@example.org"})
    return redirect("privacy:access_log_results", ref=ref)
    ...
    criteria = search_recall(request, "journal", ref)  # None once the session is gone
"""

import secrets
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.views.main import (
    PAGE_VAR,
    SEARCH_VAR,
    ChangeList,
    ChangeListSearchForm,
)
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Searches kept per kind, per session; the oldest is forgotten first.
KEPT_SEARCHES = 20


def _key(kind: str) -> str:
    return f"guichet_searches:{kind}"


def search_remember(request: HttpRequest, kind: str, criteria: dict[str, str]) -> str:
    """Keep `criteria` in the session and return the reference to put in the address. The
    same criteria get the same reference again (the back button and a bookmark agree)."""
    saved: dict[str, Any] = dict(request.session.get(_key(kind)) or {})
    ref = next((r for r, c in saved.items() if c == criteria), None)
    if ref is None:
        ref = secrets.token_urlsafe(8)
    else:
        del saved[ref]  # moved to the end: the most recent
    saved[ref] = dict(criteria)
    for old in list(saved)[:-KEPT_SEARCHES]:
        del saved[old]
    request.session[_key(kind)] = saved
    return ref


def search_recall(request: HttpRequest, kind: str, ref: str) -> dict[str, str] | None:
    """The criteria kept under `ref` in this session, or None (another session's reference,
    an expired session, a made-up reference)."""
    saved = request.session.get(_key(kind))
    found = saved.get(ref) if isinstance(saved, dict) else None
    return dict(found) if isinstance(found, dict) else None


# --- The Django admin's search box --------------------------------------------------------------

# The changelist parameter that stands for the search (the admin's own is "q", SEARCH_VAR).
SEARCH_REF = "recherche"
# Sent by the search box (templates/admin/search_form.html), to tell it from an action's POST.
SEARCH_SUBMIT = "_chercher"
ADMIN_GONE = (
    "Cette recherche n'est plus disponible (elle dure le temps de la session) : refaites-la."
)

M = TypeVar("M", bound=models.Model)


class SearchByPostAdmin(admin.ModelAdmin[M]):
    """A ModelAdmin whose search box, which searches e-mail addresses or names, is sent with
    POST: the changelist's address then carries `?recherche=<ref>` instead of `?q=<terms>`,
    and so do its pages, sortings, filters and the links back from an object
    (`_changelist_filters`). `?q=` in an address is not a search: it is dropped by a redirect."""

    search_by_post = True  # read by templates/admin/search_form.html

    def _search_kind(self) -> str:
        return f"admin:{self.opts.app_label}.{self.opts.model_name}"

    def _back_to_list(self, request: HttpRequest, ref: str | None) -> HttpResponseRedirect:
        params = request.GET.copy()
        for name in (SEARCH_VAR, SEARCH_REF, PAGE_VAR):
            params.pop(name, None)
        if ref:
            params[SEARCH_REF] = ref
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and SEARCH_SUBMIT in request.POST:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            terms = str(request.POST.get(SEARCH_VAR, "")).strip()
            ref = search_remember(request, self._search_kind(), {"q": terms}) if terms else None
            return self._back_to_list(request, ref)
        if SEARCH_VAR in request.GET:
            return self._back_to_list(request, None)
        ref = request.GET.get(SEARCH_REF)
        if ref is not None and search_recall(request, self._search_kind(), ref) is None:
            messages.info(request, ADMIN_GONE)
            return self._back_to_list(request, None)
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        kind = self._search_kind()

        class RecalledSearchChangeList(super().get_changelist(request, **kwargs)):  # type: ignore[misc]
            """The search terms come from the session, by the reference in the address."""

            def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
                ref = request.GET.get(SEARCH_REF, "")
                terms = (search_recall(request, kind, ref) or {}).get("q", "") if ref else ""

                class RecalledSearchForm(ChangeListSearchForm):
                    def __init__(self, data: Any, *a: Any, **kw: Any) -> None:
                        super().__init__({SEARCH_VAR: terms}, *a, **kw)

                self.search_form_class = RecalledSearchForm
                super().__init__(request, *args, **kwargs)

            def get_filters_params(self, params: Any = None) -> Any:
                lookup_params = super().get_filters_params(params)
                lookup_params.pop(SEARCH_REF, None)
                return lookup_params

        return RecalledSearchChangeList
