"""Helpers of the form templates (includes/form_errors.html, includes/field.html)."""

from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext

register = template.Library()

# Messages of Django's validators, which never name their field.
_VALIDATOR_CODES = {"max_length", "min_length", "max_value", "min_value", "step_size"}
_PARAMETRIZED_CODES = {"invalid_choice", "invalid_list"}


def _default_messages(field: Any) -> set[str]:
    defaults: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return {str(message) for message in defaults.values()}


@register.simple_tag
def summary_line(field: Any, error: ValidationError) -> str:
    """The error summary's line for `error` of `field`. GOV.UK: the same words as beside the
    field, which name what to do ("Entrez votre nom complet."). Django's generic messages
    ("Ce champ est obligatoire.") say nothing of their field: they get its label in front,
    without the label's own trailing punctuation (no « … ? : »), never an empty label."""
    message = " ".join(str(m) for m in error.messages)
    code = getattr(error, "code", None)
    generic = (
        code in _VALIDATOR_CODES
        or code in _PARAMETRIZED_CODES
        or message in _default_messages(field.field)
    )
    label = strip_tags(str(field.label or "")).strip().rstrip(" ?:;.").strip()
    if not generic or not label:
        return message
    return gettext("%(label)s : %(error)s") % {"label": label, "error": message}


@register.filter
def first_input_id(field: Any) -> str:
    """The id the summary links to: the field's, or its first part's (a date in three fields)."""
    return str(field.id_for_label or f"{field.auto_id}_0")
