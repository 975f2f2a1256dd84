"""The client portal: file a request, follow it, send what is missing, read letters, respond."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import signed_in_user
from guichet.accounts.models import User
from guichet.calendars.services import business_calendar
from guichet.dossiers import services
from guichet.dossiers.clocks import derive_clocks
from guichet.dossiers.forms import (
    AnswerItemsForm,
    ChangeForm,
    ConfirmForm,
    LinkCodeForm,
    LinkStartForm,
    ObservationsForm,
    ReviewForm,
    SendDocumentsForm,
)
from guichet.dossiers.models import Dossier, EventKind
from guichet.dossiers.selectors import (
    document_get_for_user,
    dossier_get_for_client,
    dossiers_of_client,
    letter_get_for_user,
)
from guichet.dossiers.services import DossierError, NewDocument
from guichet.dossiers.views.files import document_response, letter_response
from guichet.mandates.for_dossiers import dossier_page_context

# Events a client sees in their history (internal steps such as assignment are not shown).
CLIENT_EVENTS = {
    EventKind.RECEIVED,
    EventKind.ACKNOWLEDGED,
    EventKind.INCOMPLETENESS_NOTICE,
    EventKind.ITEMS_RECEIVED,
    EventKind.DOCUMENT_ADDED,
    EventKind.FEE_PAID,
    EventKind.INTENTION_TO_REFUSE,
    EventKind.OBSERVATIONS,
    EventKind.DECIDED,
    EventKind.REVIEW_REQUESTED,
    EventKind.WITHDRAWN,
    EventKind.CLOSED,
    EventKind.ADDRESS_CHANGED,
    EventKind.SITUATION_CHANGED,
    EventKind.RECTIFIED,
    EventKind.ADMISSIBILITY_NOTICE_SENT,
    EventKind.ADMISSIBILITY_CONFIRMED,
    EventKind.COURSE_STARTED,
    EventKind.MEETING_HELD,
    EventKind.SESSION_HELD,
    EventKind.ACCOMPANIMENT_STARTED,
    EventKind.ANSWERED,
    EventKind.MANDATE_GRANTED,
    EventKind.MANDATE_REVOKED,
}


@login_required
@require_safe
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = (
        dossiers_of_client(signed_in_user(request))
        .select_related("service")
        .order_by("-received_on", "-id")
    )
    return render(request, "dossiers/portal/my_dossiers.html", {"dossiers": dossiers})


def _detail_context(dossier: Dossier, viewer: User, **forms: Any) -> dict[str, Any]:
    cal = business_calendar()
    today = timezone.localdate()
    events = list(dossier.events.order_by("seq"))
    clocks = derive_clocks(cal, dossier, events)
    clock_rows = [{"clock": c, "now": c.as_of(cal, today)} for c in clocks]
    # What the pending incompleteness notice still waits for: each item with its own way to
    # answer (a document to send, the fee to pay); the clock resumes when nothing is left.
    missing = services.outstanding_items(dossier, events)
    decision_event = next((e for e in reversed(events) if e.kind == EventKind.DECIDED), None)
    intention_event = next(
        (e for e in reversed(events) if e.kind == EventKind.INTENTION_TO_REFUSE), None
    )
    review_until = services.review_deadline(dossier)
    until = intention_event.details.get("observations_until") if intention_event else None
    client_events = [e for e in events if e.kind in CLIENT_EVENTS]
    return {
        "dossier": dossier,
        "events": client_events,
        # The owner's mandates, or the mandate a consultant acts under; who did what.
        **dossier_page_context(dossier, viewer, client_events),
        "clocks": clock_rows,
        "missing": missing,
        "missing_fee": next((item for item in missing if item.is_fee), None),
        "missing_documents": [item for item in missing if not item.is_fee],
        "letters": dossier.letters.order_by("created_at"),
        "documents": dossier.documents.order_by("uploaded_at"),
        "decision_event": decision_event,
        "intention_event": intention_event,
        "observations_until": date.fromisoformat(until) if until else None,
        "review_until": review_until,
        "review_open": bool(
            review_until and today <= review_until and not dossier.reviews.exists()
        ),
        "reviews": dossier.reviews.all(),
        "today": today,
        **forms,
    }


@login_required
@require_safe
def dossier_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_get_for_client(user, number, why="consultation par le client")
    return render(
        request, "dossiers/portal/dossier.html", _detail_context(dossier, user, **_forms(dossier))
    )


def _forms(dossier: Dossier) -> dict[str, Any]:
    """The forms of the dossier page, each with its own prefix (no duplicate ids)."""
    initial = {"version": dossier.version}
    return {
        "documents_form": SendDocumentsForm(
            initial=initial, prefix="documents", service=dossier.service
        ),
        "answer_form": AnswerItemsForm(
            initial=initial, prefix="answer", outstanding=services.outstanding_items(dossier)
        ),
        "observations_form": ObservationsForm(initial=initial, prefix="observations"),
        "review_form": ReviewForm(initial=initial, prefix="review"),
        "confirm_form": ConfirmForm(initial=initial, prefix="confirm"),
    }


def _client_action(
    request: HttpRequest,
    number: str,
    form_class: type[Any],
    act: Callable[[Dossier, User, Any], Any],
    success: str,
    form_name: str,
) -> HttpResponse:
    """Validate the form, call the service, redirect; on any refusal show the page again with
    the message and nothing changed."""
    user = signed_in_user(request)
    dossier = dossier_get_for_client(user, number, why="démarche du client")
    kwargs: dict[str, Any] = {}
    if form_class is SendDocumentsForm:
        kwargs["service"] = dossier.service
    elif form_class is AnswerItemsForm:
        kwargs["outstanding"] = services.outstanding_items(dossier)
    form = form_class(request.POST, request.FILES, prefix=form_name.removesuffix("_form"), **kwargs)
    if form.is_valid():
        try:
            act(dossier, user, form)
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success)
            return redirect("portal:dossier", number=dossier.number)
    forms = {**_forms(dossier), form_name: form}
    return render(
        request,
        "dossiers/portal/dossier.html",
        _detail_context(dossier, user, **forms),
        status=400,
    )


def _docs(form: Any) -> list[NewDocument]:
    return [NewDocument(u) for u in form.cleaned_data.get("attachments") or []]


@login_required
@require_POST
def send_documents(request: HttpRequest, number: str) -> HttpResponse:
    """A document added to an open dossier, named after the checklist item it is."""

    def act(dossier: Dossier, user: User, form: Any) -> None:
        services.dossier_add_documents(
            dossier=dossier,
            actor=user,
            documents=form.documents(),
            expected_version=form.cleaned_data["version"],
        )

    return _client_action(
        request, number, SendDocumentsForm, act, _("Vos documents ont été reçus."), "documents_form"
    )


@login_required
@require_POST
def answer_items(request: HttpRequest, number: str) -> HttpResponse:
    """The documents an incompleteness notice asked for, each answering its item."""

    def act(dossier: Dossier, user: User, form: Any) -> None:
        services.dossier_receive_items(
            dossier=dossier,
            actor=user,
            documents=form.documents(),
            expected_version=form.cleaned_data["version"],
        )

    user = signed_in_user(request)
    response = _client_action(
        request, number, AnswerItemsForm, act, _("Vos documents ont été reçus."), "answer_form"
    )
    if response.status_code == 302:
        dossier = dossier_get_for_client(user, number, why="démarche du client")
        still = services.outstanding_items(dossier)
        if still:
            messages.info(
                request,
                _("Le délai reste suspendu : il manque encore %(items)s.")
                % {"items": " ; ".join(item.label for item in still)},
            )
        else:
            messages.info(request, _("Tout ce qui était demandé est reçu : le délai reprend."))
    return response


@login_required
@require_POST
def send_observations(request: HttpRequest, number: str) -> HttpResponse:
    def act(dossier: Dossier, user: User, form: Any) -> None:
        services.dossier_add_observations(
            dossier=dossier,
            actor=user,
            text=form.cleaned_data["text"],
            documents=_docs(form),
            expected_version=form.cleaned_data["version"],
        )

    return _client_action(
        request,
        number,
        ObservationsForm,
        act,
        _("Vos observations ont été transmises."),
        "observations_form",
    )


@login_required
@require_POST
def request_review(request: HttpRequest, number: str) -> HttpResponse:
    def act(dossier: Dossier, user: User, form: Any) -> None:
        services.dossier_request_review(
            dossier=dossier,
            actor=user,
            reasons=form.cleaned_data["reasons"],
            expected_version=form.cleaned_data["version"],
        )

    return _client_action(
        request,
        number,
        ReviewForm,
        act,
        _("Votre demande de révision est enregistrée."),
        "review_form",
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    def act(dossier: Dossier, user: User, form: Any) -> None:
        services.dossier_withdraw(
            dossier=dossier, actor=user, expected_version=form.cleaned_data["version"]
        )

    return _client_action(
        request, number, ConfirmForm, act, _("Votre demande est retirée."), "confirm_form"
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_change(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_get_for_client(user, number, why="démarche du client")
    form = ChangeForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_report_change(
                dossier=dossier,
                kind=EventKind(form.cleaned_data["kind"]),
                text=form.cleaned_data["text"],
                actor=user,
                expected_version=form.cleaned_data["version"],
                in_quebec=form.cleaned_data.get("in_quebec"),
            )
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Votre changement est inscrit à votre dossier."))
            return redirect("portal:dossier", number=dossier.number)
    return render(
        request,
        "dossiers/portal/change.html",
        {"dossier": dossier, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def letter_pdf(request: HttpRequest, number: str, letter_id: int) -> FileResponse:
    letter = letter_get_for_user(
        signed_in_user(request), number, letter_id, staff=False, why="consultation par le client"
    )
    return letter_response(letter)


@login_required
@require_safe
def document_file(request: HttpRequest, number: str, document_id: int) -> FileResponse:
    document = document_get_for_user(
        signed_in_user(request), number, document_id, staff=False, why="consultation par le client"
    )
    return document_response(document)


LINK_NEUTRAL = gettext_lazy(
    "Si ces renseignements correspondent à un dossier qui n'est pas encore lié à un compte, "
    "un code vient d'être envoyé à l'adresse courriel inscrite au dossier."
)


@login_required
@require_http_methods(["GET", "POST"])
def link_start(request: HttpRequest) -> HttpResponse:
    """Link a dossier filed by mail or at the counter: dossier number and date of birth,
    then a one-time code sent to the address on file."""
    form = LinkStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.dossier_link_start(
            user=signed_in_user(request),
            number=form.cleaned_data["number"],
            birth_date=form.cleaned_data["birth_date"],
        )
        messages.info(request, LINK_NEUTRAL)
        code_form = LinkCodeForm(initial={"number": form.cleaned_data["number"]})
        return render(request, "dossiers/portal/link_code.html", {"form": code_form})
    return render(
        request,
        "dossiers/portal/link_start.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def link_confirm(request: HttpRequest) -> HttpResponse:
    form = LinkCodeForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["number"]
        result = services.dossier_link_confirm(
            user=signed_in_user(request), number=number, code=form.cleaned_data["code"]
        )
        if result is services.LinkOutcome.LINKED:
            messages.success(request, _("Le dossier est maintenant lié à votre compte."))
            return redirect("portal:dossier", number=number)
        form.add_error(
            "code",
            _("Ce code est incorrect.")
            if result is services.LinkOutcome.WRONG_CODE
            else _("Ce code n'est plus valable : recommencez la demande de liaison."),
        )
    return render(request, "dossiers/portal/link_code.html", {"form": form}, status=400)
