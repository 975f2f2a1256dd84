"""The privacy officer's screens: the access log (search, CSV export), the register of
confidentiality incidents, legal holds. Anyone without the role gets a 404."""

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import privacy_officer_required, signed_in_user
from guichet.accounts.reauth import recent_auth_required
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.audit.services import access_log_record
from guichet.datafiles import DataFileError
from guichet.pagination import before_id, newest_first_page
from guichet.privacy import policy as privacy_policy
from guichet.privacy import services
from guichet.privacy.forms import AccessLogSearchForm, IncidentForm, LegalHoldForm, VersionForm
from guichet.privacy.models import (
    ANSWER_EVENTS,
    ConfidentialityIncident,
    IncidentStatus,
    InfoRequest,
    InfoRequestEvent,
    LegalHold,
)
from guichet.privacy.retention import read_retention
from guichet.privacy.selectors import LogSearch, access_log_search
from guichet.privacy.services import PrivacyError
from guichet.searches import search_recall, search_remember

PAGE_SIZE = 50
OFFICER_WHY = "responsable de la protection des renseignements personnels"


@privacy_officer_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    try:
        calendar = read_retention()
        rules, calendar_error = list(calendar.rules.values()), ""
    except DataFileError as exc:
        rules, calendar_error = [], str(exc)
    return render(
        request,
        "privacy/home.html",
        {
            "rules": rules,
            "calendar_error": calendar_error,
            "open_incidents": ConfidentialityIncident.objects.exclude(
                status=IncidentStatus.CLOSED
            ).count(),
            "holds": LegalHold.objects.filter(lifted_at__isnull=True).count(),
            "open_requests": InfoRequest.objects.exclude(
                pk__in=InfoRequestEvent.objects.filter(kind__in=ANSWER_EVENTS).values("request_id")
            ).count(),
        },
    )


# --- Access log -----------------------------------------------------------------------------


SEARCHES = "journal-des-acces"  # the kind of search kept in the session (guichet/searches.py)
GONE = "Cette recherche n'est plus disponible (elle dure le temps de la session) : refaites-la."


def _recall(request: HttpRequest, ref: str | None) -> tuple[AccessLogSearchForm, LogSearch] | None:
    """The search behind `ref` (None: no criteria, the newest entries), as the form that
    shows it; None if this session holds no such search."""
    if ref is None:
        return AccessLogSearchForm(), LogSearch()
    criteria = search_recall(request, SEARCHES, ref)
    if criteria is None:
        return None
    form = AccessLogSearchForm(criteria)
    if not form.is_valid():  # kept only once valid: the form's rules changed since
        return None
    return form, LogSearch.from_form(form.cleaned_data)


def _log_search_use(
    request: HttpRequest, search: LogSearch, action: AccessAction, why: str
) -> None:
    """Looking a person up in the log is itself an access to information about them."""
    account = search.person_account()
    access_log_record(
        action=action,
        subject_kind=SubjectKind.ACCESS_LOG,
        subject_number=search.dossier_number(),
        person=account,
        actor=signed_in_user(request),
        why=why,
    )


@privacy_officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def access_log(request: HttpRequest) -> HttpResponse:
    """The newest entries and the search form. A search is sent with POST and answered with
    a redirect to an address that holds only a reference to it (guichet/searches.py): the
    e-mail address searched for never appears in an address, so never in a server's log."""
    if request.method != "POST":
        return _access_log_page(request, None)
    form = AccessLogSearchForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "privacy/access_log.html",
            {"form": form, "searched": False},
            status=400,
        )
    criteria = form.criteria()
    if not criteria:
        return redirect("privacy:access_log")
    ref = search_remember(request, SEARCHES, criteria)
    return redirect("privacy:access_log_results", ref=ref)


@privacy_officer_required
@require_safe
def access_log_results(request: HttpRequest, ref: str) -> HttpResponse:
    return _access_log_page(request, ref)


def _access_log_page(request: HttpRequest, ref: str | None) -> HttpResponse:
    recalled = _recall(request, ref)
    if recalled is None:
        messages.info(request, GONE)
        return redirect("privacy:access_log")
    form, search = recalled
    before = before_id(request.GET.get("avant", ""))
    shown = newest_first_page(access_log_search(search), before, PAGE_SIZE)
    if search.person and before is None:
        _log_search_use(request, search, AccessAction.READ, f"recherche du {OFFICER_WHY}")
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "rows": shown.items,
            "searched": True,
            "next_cursor": shown.next_cursor,
            "export_url": (
                reverse("privacy:access_log_export")
                if ref is None
                else reverse("privacy:access_log_results_export", kwargs={"ref": ref})
            ),
            "page_size": PAGE_SIZE,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _neutral(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(
    filename: str, header: list[str], rows: Iterable[list[object]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheets read the accents as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_neutral(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


ACCESS_LOG_HEADER = [
    "date",
    "action",
    "objet",
    "identifiant",
    "dossier",
    "personne (compte)",
    "personne (courriel)",
    "par (compte)",
    "par",
    "motif",
    "adresse",
]


def _access_log_row(entry: AccessLog) -> list[object]:
    return [
        timezone.localtime(entry.at).isoformat(timespec="seconds"),
        entry.get_action_display(),
        entry.get_subject_kind_display(),
        entry.subject_id,
        entry.subject_number,
        entry.person_id,
        entry.person.email if entry.person else "",
        entry.actor_id,
        entry.actor_display,
        entry.why,
        entry.path,
    ]


@privacy_officer_required
@recent_auth_required
@require_safe
def access_log_export(request: HttpRequest, ref: str | None = None) -> HttpResponseBase:
    """The whole log (no reference) or the search kept under `ref`, as CSV."""
    recalled = _recall(request, ref)
    if recalled is None:
        messages.info(request, GONE)
        return redirect("privacy:access_log")
    _form, search = recalled
    # The export is what the log held when it was asked for, not the entry recording it.
    newest = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    qs = access_log_search(search).filter(pk__lte=newest)
    count = qs.count()
    _log_search_use(
        request, search, AccessAction.EXPORT, f"export ({count} entrées) du {OFFICER_WHY}"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _csv_response(
        f"journal-des-acces-{stamp}.csv",
        ACCESS_LOG_HEADER,
        (_access_log_row(e) for e in qs.iterator(chunk_size=2000)),
    )


# --- Register of confidentiality incidents --------------------------------------------------


def _incident(pk: int) -> ConfidentialityIncident:
    return get_object_or_404(ConfidentialityIncident, pk=pk)


@privacy_officer_required
@require_safe
def incidents(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/incidents.html",
        {"incidents": ConfidentialityIncident.objects.all()},
    )


@privacy_officer_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(
                actor=signed_in_user(request), fields=form.incident_fields()
            )
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Incident inscrit au registre : {incident.reference}.")
            return redirect("privacy:incident", pk=incident.pk)
    return render(
        request,
        "privacy/incident_form.html",
        {"form": form, "incident": None},
        status=400 if form.errors else 200,
    )


@privacy_officer_required
@require_safe
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    access_log_record(
        action=AccessAction.READ,
        subject_kind=SubjectKind.INCIDENT,
        subject_id=incident.pk,
        actor=signed_in_user(request),
        why=f"consultation du registre des incidents par le {OFFICER_WHY}",
    )
    return render(request, "privacy/incident.html", _incident_context(incident))


def _incident_context(incident: ConfidentialityIncident, **extra: Any) -> dict[str, Any]:
    status = IncidentStatus(incident.status)
    moves = []
    if status == IncidentStatus.DETECTED:
        moves.append(("evaluer", "Terminer l'évaluation du risque"))
    if status == IncidentStatus.ASSESSED and incident.serious_risk:
        moves.append(("aviser", "Inscrire les avis transmis"))
    if status == IncidentStatus.NOTIFIED or (
        status == IncidentStatus.ASSESSED and not incident.serious_risk
    ):
        moves.append(("fermer", "Fermer l'incident"))
    return {
        "incident": incident,
        "form": IncidentForm(instance=incident),
        "moves": moves,
        "version_form": VersionForm(initial={"version": incident.version}),
        "missing": {
            "assessed": services.incident_problems(incident, IncidentStatus.ASSESSED),
            "closed": services.incident_problems(incident, IncidentStatus.CLOSED),
        },
        **extra,
    }


@privacy_officer_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    if incident.status == IncidentStatus.CLOSED:
        messages.error(request, "Cet incident est fermé : il ne se modifie plus.")
        return redirect("privacy:incident", pk=incident.pk)
    form = IncidentForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(
                incident=incident,
                actor=signed_in_user(request),
                fields=form.incident_fields(),
                expected_version=form.cleaned_data.get("version"),
            )
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Incident mis à jour.")
            return redirect("privacy:incident", pk=incident.pk)
    return render(
        request,
        "privacy/incident_form.html",
        {"form": form, "incident": incident},
        status=400 if form.errors else 200,
    )


MOVES: dict[str, Callable[..., ConfidentialityIncident]] = {
    "evaluer": services.incident_assess,
    "aviser": services.incident_notify,
    "fermer": services.incident_close,
}
MOVE_DONE = {
    "evaluer": "Évaluation du risque terminée.",
    "aviser": "Avis inscrits.",
    "fermer": "Incident fermé.",
}


@privacy_officer_required
@require_POST
def incident_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    if move not in MOVES:
        raise Http404("Action inconnue")
    incident = _incident(pk)
    form = VersionForm(request.POST)
    error = "Formulaire incomplet : rechargez la page."
    if form.is_valid():
        try:
            MOVES[move](
                incident=incident,
                actor=signed_in_user(request),
                expected_version=form.cleaned_data["version"],
            )
        except PrivacyError as exc:
            error = str(exc)
        else:
            messages.success(request, MOVE_DONE[move])
            return redirect("privacy:incident", pk=incident.pk)
    incident.refresh_from_db()
    return render(
        request,
        "privacy/incident.html",
        _incident_context(incident, move_error=error),
        status=400,
    )


INCIDENT_HEADER = [
    "référence",
    "étape",
    "renseignements personnels visés",
    "raison s'ils ne peuvent être décrits",
    "circonstances",
    "survenu du",
    "au",
    "date approximative",
    "connu du",
    "au",
    "personnes concernées",
    "nombre approximatif",
    "sensibilité",
    "conséquences appréhendées",
    "probabilité d'utilisation préjudiciable",
    "risque de préjudice sérieux",
    "avis à la Commission le",
    "avis aux personnes le",
    "avis public",
    "raison de l'avis public",
    "mesures prises",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def _incident_row(i: ConfidentialityIncident) -> list[object]:
    return [
        i.reference,
        i.get_status_display(),
        i.information,
        i.information_unknown_reason,
        i.circumstances,
        i.occurred_from,
        i.occurred_to,
        _yes_no(i.occurred_approximate),
        i.aware_from,
        i.aware_to,
        i.persons_concerned,
        _yes_no(i.persons_approximate),
        i.sensitivity,
        i.consequences,
        i.likelihood,
        _yes_no(i.serious_risk),
        i.commission_notified_on,
        i.persons_notified_on,
        _yes_no(i.public_notice),
        i.public_notice_reason,
        i.measures,
    ]


@privacy_officer_required
@recent_auth_required
@require_safe
def incidents_export(request: HttpRequest) -> HttpResponseBase:
    register = list(ConfidentialityIncident.objects.order_by("created_at", "pk"))
    access_log_record(
        action=AccessAction.EXPORT,
        subject_kind=SubjectKind.INCIDENT,
        actor=signed_in_user(request),
        why=f"export du registre des incidents ({len(register)} incidents) du {OFFICER_WHY}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _csv_response(
        f"registre-des-incidents-{stamp}.csv",
        INCIDENT_HEADER,
        (_incident_row(i) for i in register),
    )


# --- Legal holds ----------------------------------------------------------------------------


@privacy_officer_required
@require_http_methods(["GET", "POST"])
def legal_holds(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None, officer=signed_in_user(request))
    if request.method == "POST" and form.is_valid():
        try:
            hold = services.legal_hold_place(
                actor=signed_in_user(request),
                reason=form.cleaned_data["reason"],
                dossier=form.cleaned_data.get("target_dossier"),
                person=form.cleaned_data.get("target_person"),
            )
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Conservation légale placée : {hold.target_label}.")
            return redirect("privacy:legal_holds")
    holds = LegalHold.objects.select_related("placed_by", "lifted_by")
    return render(
        request,
        "privacy/legal_holds.html",
        {
            "form": form,
            "active": holds.filter(lifted_at__isnull=True),
            "lifted": holds.filter(lifted_at__isnull=False)[:100],
        },
        status=400 if form.errors else 200,
    )


@privacy_officer_required
@require_POST
def legal_hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=pk)
    try:
        services.legal_hold_lift(hold=hold, actor=signed_in_user(request))
    except PrivacyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Conservation légale levée : {hold.target_label}.")
    return redirect("privacy:legal_holds")


@require_safe
def policy(request: HttpRequest, version: str | None = None) -> HttpResponse:
    """The privacy policy, public: the version in force, or an earlier one by its number."""
    shown = privacy_policy.current() if version is None else privacy_policy.find(version)
    if shown is None:
        raise Http404("Version introuvable")
    return render(
        request,
        "privacy/policy/page.html",
        {
            "version": shown,
            "current": privacy_policy.current(),
            "versions": privacy_policy.VERSIONS,
        },
    )
