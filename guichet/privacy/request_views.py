"""Requests for access to, or rectification of, personal information: the person's page
« Mes renseignements personnels » and the privacy officer's queue and request page."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import privacy_officer_required, signed_in_user
from guichet.accounts.reauth import recent_auth_required
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import dossier_get_for_privacy_officer
from guichet.privacy import selectors, services
from guichet.privacy.deadlines import EXTENSION_DAYS
from guichet.privacy.forms import (
    AnswerAccessForm,
    ExtendForm,
    InfoRequestForm,
    RectifyForm,
    RefuseForm,
)
from guichet.privacy.models import InfoRequest, InfoRequestFile, InfoRequestKind
from guichet.privacy.services import PrivacyError
from guichet.privacy.views import OFFICER_WHY

PERSON_WHY = "consultation par la personne concernée"


def _numbers(person_id: int) -> list[str]:
    return list(
        Dossier.objects.filter(client_id=person_id)
        .order_by("-received_on", "-id")
        .values_list("number", flat=True)
    )


def _download(stored: InfoRequestFile) -> FileResponse:
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=f"{stored.request.reference}-{stored.kind}.{stored.extension}",
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- The person -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_info(request: HttpRequest) -> HttpResponse:
    """Ask for access or rectification, and see one's requests."""
    user = signed_in_user(request)
    form = InfoRequestForm(request.POST or None, numbers=_numbers(user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.info_request_submit(
                person=user,
                kind=InfoRequestKind(form.cleaned_data["kind"]),
                details=form.cleaned_data["details"],
                correction=form.cleaned_data["correction"],
                dossier_number=form.cleaned_data["dossier"],
            )
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Votre demande est reçue (référence %(ref)s).") % {"ref": created.reference},
            )
            return redirect("privacy:my_request", request_id=created.pk)
    today = timezone.localdate()
    rows = [selectors.with_clock(r, today) for r in selectors.info_requests_of_person(user)]
    return render(
        request,
        "privacy/my_info.html",
        {"form": form, "rows": rows},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def my_request(request: HttpRequest, request_id: int) -> HttpResponse:
    info_request = selectors.info_request_get_for_person(
        signed_in_user(request), request_id, why=PERSON_WHY
    )
    return render(request, "privacy/my_request.html", _request_context(info_request))


@login_required
@require_safe
def my_request_file(request: HttpRequest, request_id: int, file_id: int) -> HttpResponseBase:
    stored = selectors.info_request_file_get(
        signed_in_user(request),
        request_id,
        file_id,
        officer=False,
        why="téléchargement par la personne",
    )
    return _download(stored)


def _request_context(info_request: InfoRequest, **extra: Any) -> dict[str, Any]:
    row = selectors.with_clock(info_request, timezone.localdate())
    return {
        "info_request": info_request,
        "row": row,
        "clock": row.clock,
        "events": info_request.events.order_by("seq").select_related("actor"),
        "files": list(info_request.files.all()),
        **extra,
    }


# --- The privacy officer ----------------------------------------------------------------------


@privacy_officer_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    open_rows, done = selectors.info_request_queue(timezone.localdate())
    return render(request, "privacy/requests.html", {"open_rows": open_rows, "done": done})


def _officer_page(
    request: HttpRequest, info_request: InfoRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    numbers = _numbers(info_request.person_id)
    context = _request_context(
        info_request,
        extend_form=forms.get("extend_form") or ExtendForm(),
        answer_form=forms.get("answer_form") or AnswerAccessForm(),
        rectify_form=forms.get("rectify_form")
        or RectifyForm(
            numbers=numbers,
            initial={"dossier": info_request.dossier_number, "value": info_request.correction},
        ),
        refuse_form=forms.get("refuse_form") or RefuseForm(),
        numbers=numbers,
    )
    clock = context["row"].clock
    context["extension_refused"] = clock.extension_refused(timezone.localdate())
    context["extended_due"] = clock.first_due_on + timedelta(days=EXTENSION_DAYS)
    return render(request, "privacy/request.html", context, status=status)


@privacy_officer_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _officer_page(request, _officer_request(request, pk))


def _officer_request(request: HttpRequest, pk: int) -> InfoRequest:
    return selectors.info_request_get_for_officer(
        signed_in_user(request), pk, why=f"traitement de la demande par le {OFFICER_WHY}"
    )


def _officer_act(
    request: HttpRequest,
    info_request: InfoRequest,
    form_name: str,
    form: Any,
    act: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One step of the officer's on a request: the form's data to the service (`act`); its
    refusal shown on the form, in the request's page, with nothing changed."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("privacy:request", pk=info_request.pk)
    return _officer_page(request, info_request, status=400, **{form_name: form})


@privacy_officer_required
@require_POST
def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    info_request = _officer_request(request, pk)
    return _officer_act(
        request,
        info_request,
        "extend_form",
        ExtendForm(request.POST),
        lambda data: services.info_request_extend(
            request=info_request, reason=data["reason"], actor=signed_in_user(request)
        ),
        "Délai prolongé ; l'avis est déposé pour la personne.",
    )


@privacy_officer_required
@recent_auth_required
@require_POST
def request_answer_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Generating an export of everything about a person asks for the password (and code)
    again, as every export does."""
    info_request = _officer_request(request, pk)
    return _officer_act(
        request,
        info_request,
        "answer_form",
        AnswerAccessForm(request.POST),
        lambda data: services.info_request_answer_access(
            request=info_request, actor=signed_in_user(request), message=data["message"]
        ),
        "Renseignements transmis à la personne.",
    )


@privacy_officer_required
@require_POST
def request_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    info_request = _officer_request(request, pk)
    return _officer_act(
        request,
        info_request,
        "rectify_form",
        RectifyForm(request.POST, numbers=_numbers(info_request.person_id)),
        lambda data: services.info_request_rectify(
            request=info_request,
            actor=signed_in_user(request),
            dossier=dossier_get_for_privacy_officer(
                signed_in_user(request),
                data["dossier"],
                why=f"rectification demandée ({info_request.reference}) par le {OFFICER_WHY}",
            ),
            field_name=data["field_name"],
            value=data["value"],
            message=data["message"],
        ),
        "Rectification faite ; la lettre est déposée.",
    )


@privacy_officer_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    info_request = _officer_request(request, pk)
    return _officer_act(
        request,
        info_request,
        "refuse_form",
        RefuseForm(request.POST),
        lambda data: services.info_request_refuse_rectification(
            request=info_request, actor=signed_in_user(request), reasons=data["reasons"]
        ),
        "Refus envoyé, avec le recours.",
    )


@privacy_officer_required
@require_safe
def request_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponseBase:
    stored = selectors.info_request_file_get(
        signed_in_user(request),
        pk,
        file_id,
        officer=True,
        why=f"téléchargement par le {OFFICER_WHY}",
    )
    return _download(stored)
