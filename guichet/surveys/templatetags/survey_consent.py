"""`{% survey_consent_control %}`: the consent control, on the client's account page (a
template of the accounts app, which knows nothing of the surveys)."""

from typing import Any

from django import template

from guichet.accounts.models import User
from guichet.surveys.forms import ConsentForm
from guichet.surveys.services import survey_consent_of

register = template.Library()


@register.inclusion_tag("surveys/_consent_control.html", takes_context=True)
def survey_consent_control(context: Any) -> dict[str, Any]:
    user = context["request"].user
    agreed = isinstance(user, User) and survey_consent_of(user)
    return {
        "form": ConsentForm(initial={"agreed": agreed}),
        "csrf_token": context.get("csrf_token"),
        "agreed": agreed,
    }
