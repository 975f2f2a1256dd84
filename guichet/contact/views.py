"""The contact centre's pages for staff: the worklist by due date, a voice message (listen,
transcribe, record the call back), an e-mail enquiry (read the thread, answer from a model,
link to a dossier) and the upload of a saved .eml."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from guichet.accounts.decorators import signed_in_user, staff_required
from guichet.contact import services
from guichet.contact.forms import (
    AnswerForm,
    CallBackForm,
    EmlUploadForm,
    LinkDossierForm,
    TemplateChoiceForm,
    TranscriptForm,
)
from guichet.contact.models import Enquiry, VoiceMessage
from guichet.contact.selectors import (
    attachment_get_for_staff,
    enquiry_get_for_staff,
    open_items,
    voice_message_get_for_staff,
)
from guichet.dossiers.selectors import dossier_get_for_staff, dossiers_of_staff


@staff_required
@require_safe
def worklist(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contact/worklist.html",
        {"items": open_items(), "today": timezone.localdate(), "upload": EmlUploadForm()},
    )


def _voice_page(
    request: HttpRequest, message: VoiceMessage, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "message": message,
        "transcript_form": forms.get("transcript_form")
        or TranscriptForm(initial={"transcript": message.transcript}),
        "call_back_form": forms.get("call_back_form") or CallBackForm(),
    }
    return render(request, "contact/voice_message.html", context, status=status)


@staff_required
@require_safe
def voice_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = voice_message_get_for_staff(
        signed_in_user(request), pk, why="écoute d'un message vocal"
    )
    return _voice_page(request, message)


@staff_required
@require_safe
def voice_audio(request: HttpRequest, pk: int) -> FileResponse:
    message = voice_message_get_for_staff(
        signed_in_user(request), pk, why="écoute d'un message vocal"
    )
    if not message.audio:
        raise Http404("Page introuvable")
    response = FileResponse(
        message.audio.open("rb"), content_type=message.audio_type or "application/octet-stream"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_POST
def voice_transcribe(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    message = voice_message_get_for_staff(user, pk, why="transcription d'un message vocal")
    form = TranscriptForm(request.POST)
    if not form.is_valid():
        return _voice_page(request, message, 400, transcript_form=form)
    services.voice_message_transcribe(
        message=message, transcript=form.cleaned_data["transcript"], actor=user
    )
    messages.success(request, _("Transcription enregistrée."))
    return redirect("contact:voice_message", pk=pk)


@staff_required
@require_POST
def voice_call_back(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    message = voice_message_get_for_staff(user, pk, why="rappel d'un message vocal")
    form = CallBackForm(request.POST)
    if form.is_valid():
        try:
            services.voice_message_call_back(
                message=message, note=form.cleaned_data["note"], actor=user
            )
        except services.ContactError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Rappel enregistré : le délai est arrêté."))
            return redirect("contact:worklist")
    return _voice_page(request, message, 400, call_back_form=form)


def _enquiry_page(
    request: HttpRequest, enquiry: Enquiry, status: int = 200, **forms: Any
) -> HttpResponse:
    user = signed_in_user(request)
    chooser = TemplateChoiceForm(request.GET or None)
    initial = ""
    if chooser.is_valid() and chooser.cleaned_data["modele"] is not None:
        initial = chooser.cleaned_data["modele"].body
    dossier_visible = (
        enquiry.dossier_id is not None
        and dossiers_of_staff(user).filter(pk=enquiry.dossier_id).exists()
    )
    context = {
        "enquiry": enquiry,
        "thread": enquiry.messages.prefetch_related("attachments"),
        "clocks": enquiry.clocks.order_by("pk"),
        "chooser": chooser,
        "answer_form": forms.get("answer_form") or AnswerForm(initial={"body": initial}),
        "link_form": forms.get("link_form") or LinkDossierForm(),
        "dossier_visible": dossier_visible,
    }
    return render(request, "contact/enquiry.html", context, status=status)


@staff_required
@require_safe
def enquiry(request: HttpRequest, pk: int) -> HttpResponse:
    found = enquiry_get_for_staff(
        signed_in_user(request), pk, why="lecture d'une demande par courriel"
    )
    return _enquiry_page(request, found)


@staff_required
@require_POST
def enquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = enquiry_get_for_staff(user, pk, why="réponse à une demande par courriel")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.enquiry_answer(enquiry=found, body=form.cleaned_data["body"], actor=user)
        except services.ContactError as error:
            form.add_error(None, str(error))
        except OSError:
            form.add_error(
                None,
                _(
                    "Le serveur de courriel n'a pas accepté la réponse ; rien n'a été envoyé. "
                    "Réessayez plus tard."
                ),
            )
        else:
            messages.success(request, _("Réponse envoyée : le délai est arrêté."))
            return redirect("contact:worklist")
    return _enquiry_page(request, found, 400, answer_form=form)


@staff_required
@require_POST
def enquiry_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = enquiry_get_for_staff(user, pk, why="lien d'une demande par courriel à un dossier")
    form = LinkDossierForm(request.POST)
    if form.is_valid():
        try:
            dossier = dossier_get_for_staff(
                user, form.cleaned_data["number"].strip(), why="lien d'une demande par courriel"
            )
        except Http404:
            form.add_error("number", _("Aucun dossier de vos unités ne porte ce numéro."))
        else:
            services.enquiry_link_dossier(enquiry=found, dossier=dossier, actor=user)
            messages.success(request, _("Demande liée au dossier."))
            return redirect("contact:enquiry", pk=pk)
    return _enquiry_page(request, found, 400, link_form=form)


@staff_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = attachment_get_for_staff(
        signed_in_user(request), pk, why="pièce jointe d'une demande par courriel"
    )
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        as_attachment=True,
        filename=found.name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_POST
def eml_upload(request: HttpRequest) -> HttpResponse:
    form = EmlUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "contact/worklist.html",
            {"items": open_items(), "today": timezone.localdate(), "upload": form},
            status=400,
        )
    received = services.enquiry_receive(
        raw=form.cleaned_data["eml"].read(), actor=signed_in_user(request)
    )
    if not received.created:
        messages.info(request, _("Ce courriel était déjà enregistré."))
    return redirect("contact:enquiry", pk=received.enquiry.pk)
