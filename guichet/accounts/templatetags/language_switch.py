"""`{% language_switch %}`: the language switch of the header (base.html).

What it offers follows the rule of guichet/accounts/language.py: a visitor may choose French,
English or Spanish for public pages; a client with a valid basis, French or that language;
nobody else is offered anything (French only)."""

from typing import Any

from django import template
from django.utils import timezone, translation

from guichet.accounts import language
from guichet.accounts.models import User

register = template.Library()


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"choices": []}
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        codes: tuple[str, ...] = language.VISITOR_LANGUAGES
    else:
        basis = language.language_basis(user, timezone.localdate())
        codes = (language.FRENCH, basis.language) if basis is not None else ()
    current = (translation.get_language() or language.FRENCH)[:2]
    return {
        "choices": [
            {"code": code, "name": language.language_name(code), "current": code == current}
            for code in codes
        ],
        "next": request.get_full_path(),
    }
