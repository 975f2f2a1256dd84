"""The online request, in short steps: one topic a page, then "Vérifier vos réponses".

GOV.UK's "question pages" and "check answers" patterns: each step is a plain form that posts
back to itself and, when valid, keeps its answers in the session (guichet/dossiers/drafts.py)
and goes to the next step; the check page lists every answer with a link to change it, and
sends the request. No JavaScript is needed. After sending, a confirmation page with the number,
what happens next, the date to expect an answer, and what is already missing.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from guichet.accounts.decorators import signed_in_user
from guichet.catalogue.models import Service, ServiceKind
from guichet.catalogue.services import declaration_in_force
from guichet.dossiers import services
from guichet.dossiers.drafts import (
    Draft,
    draft_discard,
    draft_documents,
    draft_get,
    draft_keep_files,
    draft_save,
)
from guichet.dossiers.forms import CertifyForm, ContactStepForm, DocumentsStepForm, IdentityStepForm
from guichet.dossiers.selectors import dossier_get_for_client
from guichet.dossiers.services import Applicant, DossierError


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    form_class: type[Any]
    needs: tuple[str, ...]  # the answers it records: done when all are in the draft


STEPS = (
    Step(
        "coordonnees",
        gettext_lazy("Vos coordonnées"),
        ContactStepForm,
        ("applicant_name", "postal_address"),
    ),
    Step(
        "identite",
        gettext_lazy("Votre identité"),
        IdentityStepForm,
        ("birth_date", "passport_number"),
    ),
    Step("documents", gettext_lazy("Vos documents"), DocumentsStepForm, ("documents_done",)),
)
CHECK = "verifier"


def _service(code: str) -> Service:
    declaration = declaration_in_force(on=timezone.localdate())
    service = (
        declaration.services.filter(code=code, kind=ServiceKind.APPLICATION).first()
        if declaration
        else None
    )
    if service is None:
        raise Http404(_("Service introuvable"))
    return service


def _steps(service: Service) -> list[Step]:
    """The steps of this service's request (no documents step when it asks for none)."""
    has_documents = service.documents.exists()
    return [s for s in STEPS if s.slug != "documents" or has_documents]


def _first_missing(steps: list[Step], draft: Draft) -> Step | None:
    return next((s for s in steps if not draft.has(*s.needs)), None)


def _step_url(service: Service, slug: str) -> str:
    return reverse("portal:request_step", kwargs={"code": service.code, "step": slug})


@login_required
@require_safe
def request_start(request: HttpRequest, code: str) -> HttpResponse:
    """The entry of a request (the catalogue's "Faire une demande"): its first missing step."""
    service = _service(code)
    steps = _steps(service)
    missing = _first_missing(steps, draft_get(request.session, code))
    return redirect(_step_url(service, missing.slug if missing else CHECK))


@login_required
@require_http_methods(["GET", "POST"])
def request_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    service = _service(code)
    steps = _steps(service)
    if step == CHECK:
        return _check_answers(request, service, steps)
    current = next((s for s in steps if s.slug == step), None)
    if current is None:
        raise Http404(_("Étape introuvable"))
    draft = draft_get(request.session, code)
    index = steps.index(current)
    # A step is reached in order: an earlier step not answered yet comes first.
    missing = _first_missing(steps[:index], draft)
    if missing is not None:
        return redirect(_step_url(service, missing.slug))
    kwargs: dict[str, Any] = {"service": service} if current.form_class is DocumentsStepForm else {}
    if request.method == "POST":
        form = current.form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            _keep(draft, current, form)
            draft_save(request.session, draft)
            following = _first_missing(steps[index + 1 :], draft)
            going_back = request.GET.get("retour") == CHECK
            return redirect(
                _step_url(service, CHECK if going_back or following is None else following.slug)
            )
    else:
        initial = {k: v for k, v in draft.answers.items() if k != "files"}
        if draft.birth_date:
            initial["birth_date"] = draft.birth_date
        form = current.form_class(initial=initial, **kwargs)
    previous = steps[index - 1].slug if index else None
    return render(
        request,
        "dossiers/portal/request_step.html",
        {
            "service": service,
            "step": current,
            "number": index + 1,
            "count": len(steps) + 1,
            "form": form,
            "back_url": _step_url(service, previous) if previous else reverse("catalogue:home"),
            "kept": {c: [f["name"] for f in fs] for c, fs in draft.files.items()},
            "going_back": request.GET.get("retour") == CHECK,
        },
        status=400 if form.errors else 200,
    )


def _keep(draft: Draft, step: Step, form: Any) -> None:
    if isinstance(form, DocumentsStepForm):
        for checklist_code, uploads in form.uploads().items():
            draft_keep_files(draft, checklist_code, uploads)
        draft.answers["documents_done"] = True
        return
    for name in step.needs:
        value = form.cleaned_data.get(name)
        draft.answers[name] = value.isoformat() if hasattr(value, "isoformat") else value or ""


def _check_answers(request: HttpRequest, service: Service, steps: list[Step]) -> HttpResponse:
    draft = draft_get(request.session, service.code)
    missing = _first_missing(steps, draft)
    if missing is not None:
        return redirect(_step_url(service, missing.slug))
    form = CertifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        labels = {d.code: d.label_fr for d in service.documents.all()}
        try:
            dossier = services.dossier_file(
                service=service,
                applicant=Applicant(
                    draft.applicant_name,
                    user.email,
                    draft.postal_address,
                    draft.birth_date,
                    draft.passport_number,
                ),
                actor=user,
                client=user,
                documents=draft_documents(draft, labels),
            )
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            draft_discard(request.session, draft)
            return redirect("portal:filed", number=dossier.number)
    documents = [
        {
            "label": d.label_fr,
            "required": d.required,
            "files": [f["name"] for f in draft.files.get(d.code, [])],
        }
        for d in service.documents.all()
    ]
    return render(
        request,
        "dossiers/portal/request_check.html",
        {
            "service": service,
            "draft": draft,
            "documents": documents,
            "form": form,
            "change": {s.slug: f"{_step_url(service, s.slug)}?retour={CHECK}" for s in steps},
            "number": len(steps) + 1,
            "count": len(steps) + 1,
            "back_url": _step_url(service, steps[-1].slug),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def filed(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation: the number, what happens next, the date, and what is already missing
    (a required document not attached, the unpaid fee) with what it does to the clock."""
    dossier = dossier_get_for_client(
        signed_in_user(request), number, why="confirmation de la demande"
    )
    received = set(
        dossier.documents.exclude(checklist_code="").values_list("checklist_code", flat=True)
    )
    missing_documents = [
        d.label_fr for d in dossier.service.documents.all() if d.required and d.code not in received
    ]
    return render(
        request,
        "dossiers/portal/filed.html",
        {
            "dossier": dossier,
            "missing_documents": missing_documents,
            "fee_owed": dossier.fee_owed,
        },
    )
