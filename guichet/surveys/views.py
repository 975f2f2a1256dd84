"""The questionnaire (reached by the link of an invitation, no log-in needed: the link is the
key, used once) and the client's consent to be asked."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guichet.accounts.decorators import role_required, signed_in_user
from guichet.surveys.forms import ConsentForm, QuestionnaireForm
from guichet.surveys.services import (
    SurveyError,
    invitation_get_for_answer,
    survey_answer,
    survey_consent_of,
    survey_consent_set,
)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation_get_for_answer(token)
    except SurveyError as exc:
        return render(request, "surveys/closed.html", {"message": str(exc)}, status=404)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(token=token, ratings=form.ratings(), comment=form.cleaned_data["comment"])
        except SurveyError as exc:
            return render(request, "surveys/closed.html", {"message": str(exc)}, status=404)
        return redirect("surveys:thanks")
    return render(
        request, "surveys/answer.html", {"form": form}, status=400 if form.errors else 200
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/thanks.html")


@role_required(lambda user: True)
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ConsentForm(request.POST or None, initial={"agreed": survey_consent_of(user)})
    if request.method == "POST" and form.is_valid():
        agreed = form.cleaned_data["agreed"]
        survey_consent_set(user=user, agreed=agreed)
        messages.success(
            request,
            _("Nous pourrons vous demander votre avis.")
            if agreed
            else _("Nous ne vous demanderons pas votre avis."),
        )
        return redirect("surveys:consent")
    return render(request, "surveys/consent.html", {"form": form})
