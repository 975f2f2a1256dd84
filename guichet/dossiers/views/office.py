"""The back office: the unit's worklist by due date, the dossier page, and every action."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import signed_in_user, staff_required
from guichet.accounts.forms import StaffLanguageOfServiceForm
from guichet.accounts.language import current_declaration
from guichet.accounts.models import Unit, UnitService, User
from guichet.accounts.services import (
    LanguageError,
    language_of_service_declare,
    language_of_service_end,
)
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Service
from guichet.catalogue.services import declaration_in_force
from guichet.dossiers import services
from guichet.dossiers.clocks import derive_clocks
from guichet.dossiers.forms import (
    AssignForm,
    ConfirmForm,
    DecisionForm,
    IntentionForm,
    ItemsReceivedForm,
    MailRequestForm,
    RequestItemsForm,
    ServiceEventForm,
    WorklistFilterForm,
)
from guichet.dossiers.models import (
    OPEN_STATES,
    Channel,
    Decision,
    Dossier,
    DossierState,
    EventKind,
)
from guichet.dossiers.rederive import clock_refresh_pending
from guichet.dossiers.selectors import (
    document_get_for_user,
    dossier_get_for_staff,
    letter_get_for_user,
)
from guichet.dossiers.services import Applicant, DossierError, NewDocument
from guichet.dossiers.views.files import document_response, letter_response
from guichet.dossiers.worklist import Cursor, Filters, unit_services
from guichet.dossiers.worklist import counts as worklist_counts
from guichet.dossiers.worklist import page as worklist_page
from guichet.mandates.for_dossiers import ever_mandated, mandates_in_force, office_history


def _filter_form(request: HttpRequest, unit: Unit) -> WorklistFilterForm:
    form = WorklistFilterForm(request.GET or None)
    services = unit_services(unit, timezone.localdate())
    form.fields["service"].choices = [("", "Tous")] + sorted(  # type: ignore[attr-defined]
        ((code, name) for code, (name, _) in services.items()), key=lambda pair: pair[1]
    )
    form.fields["state"].choices = [("", "Tous")] + [  # type: ignore[attr-defined]
        (s.value, s.label) for s in OPEN_STATES
    ]
    members = (
        User.objects.filter(memberships__unit=unit)
        .order_by("full_name", "email")
        .values_list("pk", "full_name", "email")
    )
    form.fields["agent"].choices = (  # type: ignore[attr-defined]
        [("", "Tous"), ("none", "Non attribués")]
        + [(str(pk), name or email) for pk, name, email in members]  # as User.__str__
    )
    return form


def _filter_fields(form: WorklistFilterForm) -> list[dict[str, Any]]:
    """The filters' selects as plain values: Django's widgets render each option through a
    template of its own, a third of the page's time for a few dozen options."""
    chosen = form.cleaned_data if form.is_valid() else {}
    return [
        {
            "name": field.html_name,
            "id": field.id_for_label,
            "label": field.label,
            "options": [
                (str(value), label, str(value) == str(chosen.get(field.name, "")))
                for value, label in field.field.choices  # type: ignore[attr-defined]
            ],
        }
        for field in form
    ]


@staff_required
@require_safe
def worklist(request: HttpRequest) -> HttpResponse:
    units: list[Unit] = request.units  # type: ignore[attr-defined]  # set by staff_required
    unit = next((u for u in units if u.code == request.GET.get("unite")), units[0])
    today = timezone.localdate()
    form = _filter_form(request, unit)
    filters = Filters(**form.cleaned_data) if form.is_valid() else Filters()
    cursor = Cursor.parse(request.GET.get("apres", ""))
    viewer = signed_in_user(request).pk
    shown = worklist_page(unit, filters, today, cursor, viewer=viewer)
    query = request.GET.copy()
    query.pop("apres", None)
    context = {
        "unit": unit,
        "units": units,
        "filter_fields": _filter_fields(form),
        "counts": worklist_counts(unit, filters, today, viewer=viewer),
        "rows": shown.rows,
        "next_cursor": shown.next_cursor,
        "query": query.urlencode(),
        "first_page": cursor is None,
        "today": today,
        "calendar_refresh": clock_refresh_pending(),
    }
    template = (
        "dossiers/office/_worklist_table.html"
        if request.headers.get("HX-Request")
        else "dossiers/office/worklist.html"
    )
    return render(request, template, context)


@dataclass(frozen=True)
class ActionForm:
    """How an action with a form shows on the dossier page (dossiers/office/_action.html)."""

    slug: str  # in the action's URL (ACTIONS)
    prefix: str  # of its form, and its key in the page's `actions`
    title: str
    button: str
    multipart: bool = False
    intro: str = ""
    always_open: bool = False
    dated: bool = False  # a date field, today by default


ACTION_FORMS = {
    a.slug: a
    for a in (
        ActionForm("attribuer", "assign", "Attribuer", "Attribuer"),
        ActionForm(
            "elements-recus",
            "received",
            "Éléments manquants reçus (par la poste ou au comptoir)",
            "Inscrire la réception",
            multipart=True,
            always_open=True,
            dated=True,
        ),
        ActionForm(
            "incomplet",
            "items",
            "Dossier incomplet : demander des éléments",
            "Envoyer l'avis (le délai est suspendu)",
        ),
        ActionForm(
            "intention",
            "intention",
            "Avis d'intention (refus ou rejet envisagé)",
            "Envoyer l'avis d'intention",
        ),
        ActionForm("decision", "decision", "Rendre la décision", "Rendre la décision"),
        ActionForm(
            "evenement", "event", "Inscrire un événement du service", "Inscrire", dated=True
        ),
        ActionForm(
            "langue-service",
            "language",
            "Inscrire une langue de service (anglais ou espagnol, en plus du français)",
            "Inscrire",
            intro=(
                "Seulement sur un motif prévu : personne immigrante arrivée depuis moins de six "
                "mois, domicile hors du Québec, admissibilité à l'enseignement en anglais, ou "
                "santé, sécurité publique ou justice naturelle. Les lettres suivent ensuite en "
                "français, puis dans cette langue."
            ),
        ),
    )
}


def _action_form(
    dossier: Dossier, slug: str, *, version: int = 0, data: Any = None, files: Any = None
) -> Any:
    """The form of action `slug`: blank (for the page the agent sees at `version`) or bound
    to what was posted. The actions without a form of their own share the `confirm` one."""
    form_class = ACTIONS[slug][0]
    spec = ACTION_FORMS.get(slug)
    kwargs: dict[str, Any] = {}
    if form_class is AssignForm:
        kwargs["unit_id"] = dossier.unit_id
    elif form_class is RequestItemsForm:
        kwargs["candidates"] = services.incompleteness_candidates(dossier)
    elif form_class is ItemsReceivedForm:
        kwargs["outstanding"] = services.outstanding_items(dossier)
    if data is None:
        kwargs["initial"] = {"version": version or dossier.version}
        if spec is not None and spec.dated:
            kwargs["initial"]["on"] = timezone.localdate()
    return form_class(data, files, prefix=spec.prefix if spec else "confirm", **kwargs)


def _action_block(
    dossier: Dossier,
    spec: ActionForm,
    *,
    form: Any = None,
    shown: str = "",
    version: int = 0,
    preview: Any = None,
) -> dict[str, Any]:
    """One action's block: its form is built (and rendered) only when it shows open. An
    action with a `preview` (the incompleteness notice's letter) shows it with a last button
    that sends it."""
    is_open = form is not None or spec.always_open or shown == spec.slug
    if is_open and form is None:
        form = _action_form(dossier, spec.slug, version=version)
    return {**vars(spec), "open": is_open, "form": form, "preview": preview}


def _detail_context(
    user: User,
    dossier: Dossier,
    *,
    failed: tuple[str, Any] | None = None,
    shown: str = "",
    explained: str = "",
    preview: Any = None,
) -> dict[str, Any]:
    cal = business_calendar()
    today = timezone.localdate()
    events = list(dossier.events.order_by("seq"))
    clocks = derive_clocks(cal, dossier, events)
    failed_slug, failed_form = failed or ("", None)
    if preview is not None:
        failed_slug, failed_form = "incomplet", preview["form"]
    return {
        "dossier": dossier,
        "events": events,
        # Who did what (client, consultant, staff), and who represents the client today.
        "history": office_history(dossier, events),
        "mandate": mandates_in_force(today)
        .filter(dossier=dossier)
        .select_related("consultant")
        .first()
        if ever_mandated(events)
        else None,
        # The day-by-day explanation (a row per day since reception) is rendered when asked.
        "clocks": [
            {
                "clock": c,
                "now": c.as_of(cal, today),
                "days": c.explain(cal, today) if c.commitment.code == explained else None,
            }
            for c in clocks
        ],
        "documents": dossier.documents.order_by("uploaded_at"),
        "letters": dossier.letters.order_by("created_at"),
        "acknowledged": any(e.kind == EventKind.ACKNOWLEDGED for e in events),
        "today": today,
        "states": DossierState,
        "client_language": current_declaration(dossier.client_id) if dossier.client_id else None,
        "actions": {
            spec.prefix: _action_block(
                dossier,
                spec,
                form=failed_form if failed_slug == spec.slug else None,
                shown=shown,
                preview=preview if spec.slug == "incomplet" else None,
            )
            for spec in ACTION_FORMS.values()
        },
        # What the pending incompleteness notice still waits for (the fee included).
        "outstanding": services.outstanding_items(dossier, events),
        # The buttons without a form of their own show their errors with this one.
        "confirm_form": failed_form
        if failed_slug in CONFIRM_ACTIONS
        else ConfirmForm(initial={"version": dossier.version}, prefix="confirm"),
        "failed_action": "" if preview is not None else failed_slug,
    }


@staff_required
@require_safe
def dossier_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    shown = request.GET.get("formulaire", "")
    if request.headers.get("HX-Request") and shown in ACTION_FORMS:
        # The form of one action, asked for when the agent opens it: the version is the one of
        # the page they are looking at, so that acting on an outdated page is still refused.
        dossier = dossier_get_for_staff(user, number, why="formulaire d'une action")
        try:
            version = int(request.GET.get("version", ""))
        except ValueError:
            version = dossier.version
        block = _action_block(dossier, ACTION_FORMS[shown], shown=shown, version=version)
        return render(
            request, "dossiers/office/_action_form.html", {"dossier": dossier, "a": block}
        )
    explained = request.GET.get("explication", "")
    dossier = dossier_get_for_staff(user, number, why="traitement du dossier")
    if request.headers.get("HX-Request") and explained:
        return render(
            request, "dossiers/office/_explain.html", {"days": _explanation(dossier, explained)}
        )
    context = _detail_context(user, dossier, shown=shown, explained=explained)
    return render(request, "dossiers/office/dossier.html", context)


def _explanation(dossier: Dossier, code: str) -> list[Any]:
    """The day-by-day explanation of one clock of the dossier, as of today."""
    events = list(dossier.events.all())
    cal = business_calendar()
    for clock in derive_clocks(cal, dossier, events):
        if clock.commitment.code == code:
            return clock.explain(cal, timezone.localdate())
    raise Http404("Délai introuvable")


def _docs(form: Any) -> list[NewDocument]:
    return [NewDocument(u) for u in form.cleaned_data.get("attachments") or []]


# Each action: the form that validates it, what it calls, and what the agent is told when it
# worked. How its form shows on the page is in ACTION_FORMS.
Action = tuple[type[Any], Callable[[Dossier, User, Any], Any], str]


def _v(form: Any) -> int:
    version: int = form.cleaned_data["version"]
    return version


def _language_client(dossier: Dossier) -> User:
    if dossier.client is None:
        raise DossierError(
            "Ce dossier n'est lié à aucun compte : la langue de service s'inscrit au compte du "
            "client."
        )
    return dossier.client


def _record_language(dossier: Dossier, agent: User, form: Any) -> None:
    """Record the client's language of service from their dossier (a service of accounts:
    access-logged there)."""
    data = form.cleaned_data
    try:
        language_of_service_declare(
            user=_language_client(dossier),
            actor=agent,
            language=data["language"],
            basis=data["basis"],
            arrived_on=data.get("arrived_on"),
            outside_quebec=bool(data.get("outside_quebec")),
            justification=data.get("justification") or "",
            valid_until=data.get("valid_until"),
        )
    except LanguageError as exc:
        raise DossierError(str(exc)) from exc


def _end_language(dossier: Dossier, agent: User) -> None:
    try:
        language_of_service_end(user=_language_client(dossier), actor=agent)
    except LanguageError as exc:
        raise DossierError(str(exc)) from exc


ACTIONS: dict[str, Action] = {
    "attribuer": (
        AssignForm,
        lambda d, u, f: services.dossier_assign(
            dossier=d, agent=f.cleaned_data["agent"], actor=u, expected_version=_v(f)
        ),
        "Dossier attribué.",
    ),
    "accuser-reception": (
        ConfirmForm,
        lambda d, u, f: services.dossier_acknowledge(dossier=d, actor=u, expected_version=_v(f)),
        "Accusé de réception envoyé.",
    ),
    "incomplet": (
        RequestItemsForm,
        lambda d, u, f: services.dossier_request_items(
            dossier=d,
            codes=f.cleaned_data["codes"],
            items=f.item_list(),
            actor=u,
            on=f.cleaned_data.get("on"),
            expected_version=_v(f),
        ),
        "Avis de dossier incomplet envoyé : le délai est suspendu.",
    ),
    "elements-recus": (
        ItemsReceivedForm,
        lambda d, u, f: services.dossier_receive_items(
            dossier=d,
            actor=u,
            received=f.cleaned_data["received"],
            documents=f.documents(),
            on=f.cleaned_data["on"],
            note=f.cleaned_data["note"],
            expected_version=_v(f),
        ),
        "Réception inscrite.",
    ),
    "frais-payes": (
        ConfirmForm,
        lambda d, u, f: services.dossier_record_fee_payment(
            dossier=d, actor=u, expected_version=_v(f)
        ),
        "Paiement des frais inscrit.",
    ),
    "intention": (
        IntentionForm,
        lambda d, u, f: services.dossier_notify_intention(
            dossier=d,
            intended=Decision(f.cleaned_data["intended"]),
            reasons=f.cleaned_data["reasons"],
            actor=u,
            expected_version=_v(f),
        ),
        "Avis d'intention envoyé.",
    ),
    "decision": (
        DecisionForm,
        lambda d, u, f: services.dossier_decide(
            dossier=d,
            decision=Decision(f.cleaned_data["decision"]),
            reasons=f.cleaned_data["reasons"],
            actor=u,
            expected_version=_v(f),
        ),
        "Décision rendue et lettre envoyée.",
    ),
    "evenement": (
        ServiceEventForm,
        lambda d, u, f: services.dossier_record_service_event(
            dossier=d,
            kind=EventKind(f.cleaned_data["kind"]),
            actor=u,
            on=f.cleaned_data["on"],
            expected_version=_v(f),
        ),
        "Événement inscrit.",
    ),
    "langue-service": (
        StaffLanguageOfServiceForm,
        _record_language,
        "Langue de service inscrite au compte du client.",
    ),
    "langue-service-fin": (
        ConfirmForm,
        lambda d, u, f: _end_language(d, u),
        "Langue de service terminée : le client est servi en français seulement.",
    ),
    "fermer": (
        ConfirmForm,
        lambda d, u, f: services.dossier_close(dossier=d, actor=u, expected_version=_v(f)),
        "Dossier fermé.",
    ),
}


CONFIRM_ACTIONS = {slug for slug, action in ACTIONS.items() if action[0] is ConfirmForm}


@staff_required
@require_POST
def dossier_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("Action inconnue")
    user = signed_in_user(request)
    dossier = dossier_get_for_staff(user, number, why="traitement du dossier")
    _, act, success = ACTIONS[action]
    form = _action_form(dossier, action, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            if action == "incomplet" and "items-envoyer" not in request.POST:
                # First the letter, as it will go; the agent then sends it (or changes it).
                asked, letter = services.incompleteness_preview(
                    dossier=dossier,
                    actor=user,
                    codes=form.cleaned_data["codes"],
                    items=form.item_list(),
                )
                preview = {"form": form, "asked": asked, "letter": letter}
                context = _detail_context(user, dossier, preview=preview)
                return render(request, "dossiers/office/dossier.html", context)
            act(dossier, user, form)
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _success_message(dossier, action, success))
            return redirect("office:dossier", number=dossier.number)
    dossier.refresh_from_db()
    context = _detail_context(user, dossier, failed=(action, form))
    return render(request, "dossiers/office/dossier.html", context, status=400)


def _success_message(dossier: Dossier, action: str, success: str) -> str:
    """What the agent is told; after a receipt, whether the clock resumed or what still blocks."""
    if action not in ("elements-recus", "frais-payes"):
        return success
    dossier.refresh_from_db()
    if dossier.state != DossierState.INCOMPLETE:
        return f"{success} Tous les éléments demandés sont reçus : le délai reprend."
    waiting = " ; ".join(i.label for i in services.outstanding_items(dossier))
    return f"{success} Le délai reste suspendu : il manque encore {waiting}."


@staff_required
@require_http_methods(["GET", "POST"])
def record_mail(request: HttpRequest) -> HttpResponse:
    """Record a paper request with its real date of reception."""
    user = signed_in_user(request)
    codes = UnitService.objects.filter(unit__memberships__user=user).values("service_code")
    declaration = declaration_in_force(on=timezone.localdate())
    choices = (
        declaration.services.filter(code__in=codes).order_by("name_fr")
        if declaration
        else Service.objects.none()
    )
    form = MailRequestForm(request.POST or None, request.FILES or None, services=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_file(
                service=data["service"],
                applicant=Applicant(
                    data["applicant_name"],
                    data["applicant_email"],
                    data["postal_address"],
                    data["birth_date"],
                    data["passport_number"],
                ),
                actor=user,
                channel=Channel.MAIL,
                received_on=data["received_on"],
                documents=_docs(form),
            )
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Demande inscrite : dossier {dossier.number}.")
            return redirect("office:dossier", number=dossier.number)
    return render(
        request,
        "dossiers/office/record_mail.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@require_safe
def letter_pdf(request: HttpRequest, number: str, letter_id: int) -> FileResponse:
    letter = letter_get_for_user(
        signed_in_user(request), number, letter_id, staff=True, why="traitement du dossier"
    )
    return letter_response(letter)


@staff_required
@require_safe
def document_file(request: HttpRequest, number: str, document_id: int) -> FileResponse:
    document = document_get_for_user(
        signed_in_user(request), number, document_id, staff=True, why="traitement du dossier"
    )
    return document_response(document)
