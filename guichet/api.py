"""The JSON API for other systems: one NinjaAPI, bearer-token authentication, French errors.

Every answer that is not a success is `{"detail": "<message in French>"}` with a 4xx status,
including unknown paths and methods, so that a calling system never has to parse HTML. The
API speaks French whatever the request's Accept-Language: its labels are part of a contract
with other systems, not an interface that follows the reader's language.
"""

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from guichet.apitools import TokenAuth
from guichet.dossiers.services import DossierError

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class FrenchJSONRenderer(JSONRenderer):
    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


def _detail(message: str, status: int, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": message}, ensure_ascii=False),
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _json_api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Run an API view in French, and answer in JSON where Django or ninja would not."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override("fr"):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = _detail(gettext("Ressource introuvable."), 404)
            if isinstance(response, HttpResponseNotAllowed):
                response = _detail(
                    gettext("Méthode %(method)s non permise à cette adresse.")
                    % {"method": request.method},
                    405,
                    Allow=response.get("Allow", ""),
                )
        response.headers.setdefault("Content-Language", "fr")
        return response

    return wrapper


def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    with translation.override("fr"):
        return _detail(gettext("Adresse inconnue dans l'API."), 404, **{"Content-Language": "fr"})


class GuichetAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_api_view(pattern.callback)
        patterns.append(re_path(r"^(?P<rest>.*)$", _unknown_path, name="unknown-path"))
        return patterns, app_name, namespace


api = GuichetAPI(
    title="Guichet API",
    version="1",
    description=(
        "Dépôt et suivi des dossiers de Guichet par d'autres systèmes. Authentification : "
        '`Authorization: Bearer <secret>`. Toute erreur est `{"detail": "<message>"}`.'
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=FrenchJSONRenderer(),
)


def _field_name(loc: Sequence[Any]) -> str:
    # ninja prefixes the source ("body", "path"...) and, for a body, the parameter's name.
    parts = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(p) for p in parts)


def _problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return gettext("champ obligatoire")
    if kind == "extra_forbidden":
        return gettext("champ inconnu")
    if kind == "string_type":
        return gettext("texte attendu")
    if kind == "string_too_short":
        return gettext("ne peut pas être vide")
    if kind == "string_too_long":
        return gettext("au plus %(max)s caractères") % {"max": ctx.get("max_length")}
    if kind.startswith("date_"):
        return gettext("date invalide : format AAAA-MM-JJ attendu")
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " ou ")
        return gettext("valeur non permise (valeurs permises : %(expected)s)") % {
            "expected": expected
        }
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return gettext("un objet JSON est attendu")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return gettext("valeur invalide")


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    """One French sentence naming every field at fault and what is wrong with it."""
    parts = []
    for error in errors:
        field = _field_name(error.get("loc", ()))
        problem = _problem(error)
        if not field:
            parts.append(gettext("corps de la requête : %(problem)s") % {"problem": problem})
        else:
            parts.append(f"{field} ({problem})")
    return gettext("Requête invalide : %(problems)s.") % {"problems": " ; ".join(parts)}


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _detail(validation_message(exc.errors), 422)


@api.exception_handler(AuthenticationError)
def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _detail(
        gettext(
            "Authentification requise : envoyez un jeton d'API valide et non révoqué dans "
            "l'en-tête « Authorization: Bearer <secret> »."
        ),
        401,
        **{"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # In ninja 1.7 the only 400 is a body that does not parse.
        return _detail(gettext("Le corps de la requête n'est pas un document JSON valide."), 400)
    return _detail(str(exc), exc.status_code)


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(str(exc) or gettext("Ressource introuvable."), 404)


@api.exception_handler(DossierError)
def _on_dossier_error(request: HttpRequest, exc: DossierError) -> HttpResponse:
    # StaleDossier is a DossierError: someone else acted in between, also a conflict.
    return _detail(str(exc), 409)


@api.exception_handler(PermissionDenied)
def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(str(exc) or gettext("Accès refusé."), 403)


api.add_router("/dossiers", "guichet.dossiers.api.router")
