"""Pages of the complaints: anyone files one (signed in or not), the signed-in person reads
their own, and the Commissaire's office does everything else. Every page of the office is
behind `commissaire_required` (404 for anyone else) and reaches a complaint only through the
sealed getter (selectors.py)."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guichet.accounts.decorators import role_required, signed_in_user
from guichet.accounts.models import Membership, StaffRole, User
from guichet.calendars.services import business_calendar
from guichet.complaints import services
from guichet.complaints.figures import clocks_for, worklist, year_figures
from guichet.complaints.forms import (
    AnswerForm,
    DoneForm,
    EnterForm,
    FileForm,
    InformationReceivedForm,
    QuestionForm,
    ReasonForm,
    RecommendationForm,
    UnitForm,
)
from guichet.complaints.models import Complaint, Kind, Recommendation
from guichet.complaints.selectors import (
    complaint_get_for_commissaire,
    complaint_get_for_complainant,
    complaints_for_commissaire,
    complaints_of_complainant,
    is_commissaire,
    recommendation_get_for_commissaire,
)
from guichet.dossiers.models import Dossier
from guichet.dossiers.selectors import (
    dossier_get_for_commissaire,
    dossier_get_for_owner,
    dossiers_of_client,
)

commissaire_required = role_required(is_commissaire)


# --- The public ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def file(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    dossiers = None
    if isinstance(user, User):
        dossiers = [
            (d.number, f"{d.number} — {d.service.name_fr}")
            for d in dossiers_of_client(user).select_related("service").order_by("-received_on")
        ]
    initial = {"dossier": request.GET.get("dossier", "")} if dossiers is not None else {}
    form = FileForm(request.POST or None, dossiers=dossiers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier: Dossier | None = None
        if isinstance(user, User) and data.get("dossier"):
            dossier = dossier_get_for_owner(user, data["dossier"], why="plainte du client")
        try:
            complaint = services.complaint_file(
                actor=user,
                kind=Kind(data["kind"]),
                subject=data["subject"],
                text=data["text"],
                dossier=dossier,
                contact_name=data.get("contact_name", ""),
                contact_email=data.get("contact_email", ""),
                contact_phone=data.get("contact_phone", ""),
            )
        except services.ComplaintError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Envoyé au Commissaire aux plaintes sous le numéro %(number)s.")
                % {"number": complaint.number},
            )
            if user is not None:
                return redirect("complaints:mine_detail", number=complaint.number)
            return redirect("complaints:sent")
    return render(
        request,
        "complaints/file.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/sent.html")


@role_required(lambda user: True)
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "complaints/mine.html",
        {"complaints": complaints_of_complainant(user).order_by("-received_on", "-pk")},
    )


@role_required(lambda user: True)
@require_safe
def mine_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    complaint = complaint_get_for_complainant(user, number, why="consultation par la personne")
    return render(request, "complaints/mine_detail.html", {"complaint": complaint})


# --- The Commissaire's office ----------------------------------------------------------------


@commissaire_required
@require_safe
def office(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    items = worklist(complaints_for_commissaire(user).select_related("unit"), timezone.localdate())
    return render(request, "complaints/office.html", {"items": items})


@commissaire_required
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EnterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = None
        if data["dossier_number"]:
            dossier = Dossier.objects.filter(number=data["dossier_number"]).first()
            if dossier is None:
                form.add_error("dossier_number", "Aucun dossier ne porte ce numéro.")
        if not form.errors:
            try:
                complaint = services.complaint_file(
                    actor=user,
                    kind=Kind(data["kind"]),
                    subject=data["subject"],
                    text=data["text"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    dossier=dossier,
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    contact_address=data["contact_address"],
                )
            except services.ComplaintError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("complaints:office_detail", number=complaint.number)
    return render(
        request, "complaints/enter.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail_context(complaint: Complaint) -> dict[str, object]:
    cal = business_calendar()
    today = timezone.localdate()
    clocks = [
        (clock, clock.as_of(cal, today), clock.outcome(cal))
        for clock in clocks_for([complaint])[complaint.pk]
    ]
    return {
        "complaint": complaint,
        "clocks": clocks,
        "events": complaint.events.select_related("actor").order_by("occurred_on", "id"),
        "recommendations": complaint.recommendations.select_related("unit"),
        "question_form": QuestionForm(auto_id="question_%s"),
        "received_form": InformationReceivedForm(auto_id="received_%s"),
        "answer_form": AnswerForm(auto_id="answer_%s"),
        "unit_form": UnitForm(initial={"unit": complaint.unit_id}, auto_id="unit_%s"),
        "recommendation_form": RecommendationForm(
            initial={"unit": complaint.unit_id}, auto_id="recommendation_%s"
        ),
    }


@commissaire_required
@require_safe
def office_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = signed_in_user(request)
    complaint = complaint_get_for_commissaire(user, number, why="examen de la plainte")
    return render(request, "complaints/office_detail.html", _detail_context(complaint))


@commissaire_required
@require_safe
def letter(request: HttpRequest, number: str) -> HttpResponse:
    """The acknowledgment letter, to print and mail (the e-mail says the same)."""
    user = signed_in_user(request)
    complaint = complaint_get_for_commissaire(user, number, why="lettre d'accusé de réception")
    return render(request, "complaints/letter.html", {"complaint": complaint})


@commissaire_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action of the office on a complaint, each with its form and its service."""
    user = signed_in_user(request)
    complaint = complaint_get_for_commissaire(user, number, why="traitement de la plainte")
    forms_by_action = {
        "accuser-reception": None,
        "demander-renseignements": QuestionForm,
        "renseignements-recus": InformationReceivedForm,
        "repondre": AnswerForm,
        "unite": UnitForm,
        "recommander": RecommendationForm,
    }
    if action not in forms_by_action:
        return render(request, "404.html", status=404)
    form_class = forms_by_action[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        context = _detail_context(complaint)
        context[f"{action.split('-')[0]}_errors"] = form.errors
        problems = [
            f"{form.fields[name].label if name in form.fields else ''} {' '.join(map(str, errs))}"
            for name, errs in form.errors.items()
        ]
        messages.error(request, "Corrigez le formulaire : " + "; ".join(problems))
        return render(request, "complaints/office_detail.html", context, status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "accuser-reception":
            services.complaint_acknowledge(complaint=complaint, actor=user)
            messages.success(request, "Accusé de réception envoyé.")
        elif action == "demander-renseignements":
            services.complaint_request_information(
                complaint=complaint, actor=user, question=data["question"]
            )
            messages.success(request, "Renseignements demandés : les délais sont suspendus.")
        elif action == "renseignements-recus":
            services.complaint_information_received(
                complaint=complaint, actor=user, note=data["note"], on=data["received_on"]
            )
            messages.success(request, "Renseignements reçus : les délais reprennent.")
        elif action == "repondre":
            services.complaint_answer(
                complaint=complaint,
                actor=user,
                outcome=data["outcome"],
                findings=data["findings"],
                changes=data["changes"],
            )
            messages.success(request, "Réponse envoyée.")
        elif action == "unite":
            services.complaint_set_unit(complaint=complaint, actor=user, unit=data["unit"])
            messages.success(request, "Unité visée enregistrée.")
        elif action == "recommander":
            services.recommendation_make(
                complaint=complaint, actor=user, unit=data["unit"], text=data["text"]
            )
            messages.success(request, "Recommandation transmise à l'unité.")
    except services.ComplaintError as exc:
        messages.error(request, str(exc))
    return redirect("complaints:office_detail", number=complaint.number)


@commissaire_required
@require_POST
def recommendation_done(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    complaint = complaint_get_for_commissaire(user, number, why="suivi d'une recommandation")
    recommendation = recommendation_get_for_commissaire(user, complaint, pk)
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            services.recommendation_report_done(
                recommendation=recommendation, actor=user, report=form.cleaned_data["report"]
            )
        except services.ComplaintError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Recommandation inscrite comme mise en œuvre.")
    else:
        messages.error(request, "Décrivez la mise en œuvre.")
    return redirect("complaints:office_detail", number=complaint.number)


@commissaire_required
@require_http_methods(["GET", "POST"])
def open_dossier(request: HttpRequest, number: str) -> HttpResponse:
    """The dossier the complaint is about, read with a reason that goes to the access log."""
    user = signed_in_user(request)
    complaint = complaint_get_for_commissaire(user, number, why="examen de la plainte")
    if complaint.dossier_id is None:
        return render(request, "404.html", status=404)
    form = ReasonForm(request.POST or None)
    dossier = None
    if request.method == "POST" and form.is_valid():
        assert complaint.dossier is not None  # noqa: S101 (checked above)
        dossier = dossier_get_for_commissaire(
            user,
            complaint.dossier.number,
            why=f"examen d'une plainte : {form.cleaned_data['reason']}",
        )
    return render(
        request,
        "complaints/dossier.html",
        {
            "complaint": complaint,
            "form": form,
            "dossier": dossier,
            "events": dossier.events.order_by("seq") if dossier else [],
        },
        status=400 if form.errors else 200,
    )


@commissaire_required
@require_safe
def year(request: HttpRequest) -> HttpResponse:
    """The yearly section: complaints and comments by subject, unit and outcome."""
    today = timezone.localdate()
    current = today.year if today.month >= 4 else today.year - 1
    try:
        start = int(request.GET.get("exercice", current))
    except ValueError:
        start = current
    if not current - 10 <= start <= current:
        start = current
    first_day, last_day = date(start, 4, 1), date(start + 1, 3, 31)
    return render(
        request,
        "complaints/year.html",
        {
            "start": start,
            "label": f"{start}-{start + 1}",
            "figures": year_figures(first_day, last_day),
            "years": [(y, f"{y}-{y + 1}") for y in range(current, current - 3, -1)],
        },
    )


# --- The units' recommendations -------------------------------------------------------------


def _supervisor(user: User) -> bool:
    return Membership.objects.filter(user=user, role=StaffRole.SUPERVISOR).exists()


@role_required(_supervisor)
@require_http_methods(["GET", "POST"])
def unit_recommendations(request: HttpRequest) -> HttpResponse:
    """What the Commissaire recommended to the supervisor's units (never the complaint), and
    the report that one is done."""
    user = signed_in_user(request)
    units = Membership.objects.filter(user=user, role=StaffRole.SUPERVISOR).values("unit_id")
    recommendations = Recommendation.objects.filter(unit_id__in=units).select_related("unit")
    form = DoneForm(request.POST or None)
    if request.method == "POST":
        try:
            pk = int(request.POST.get("recommendation", ""))
        except ValueError:
            pk = 0
        chosen = recommendations.filter(pk=pk).first()
        if chosen is None:
            return render(request, "404.html", status=404)
        if form.is_valid():
            try:
                services.recommendation_report_done(
                    recommendation=chosen, actor=user, report=form.cleaned_data["report"]
                )
            except services.ComplaintError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Mise en œuvre signalée au Commissaire.")
            return redirect("complaints:unit_recommendations")
    return render(
        request,
        "complaints/unit_recommendations.html",
        {"recommendations": recommendations.order_by("done_on", "made_on"), "form": form},
        status=400 if form.errors else 200,
    )
