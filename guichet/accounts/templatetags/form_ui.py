"""Helpers of the form templates (includes/form_errors.html, includes/field.html)."""

from typing import Any

from django import template
from django.utils.html import strip_tags
from django.utils.translation import gettext

register = template.Library()

# Django's own messages say nothing of the field they are about: in the error summary, far
# from the field, they get its label in front.
_GENERIC = ("required", "invalid", "invalid_choice", "invalid_list", "max_length", "min_length")


@register.simple_tag
def summary_line(field: Any, error: str) -> str:
    """The error summary's line for `error` of `field`: the message itself when it names what
    to do (GOV.UK: the same words as beside the field), else « label : message », the label
    without its own trailing punctuation (no « … ? : »), never an empty label before « : »."""
    messages = getattr(field.field, "error_messages", {})
    generic = {str(messages[key]) for key in _GENERIC if key in messages}
    label = strip_tags(str(field.label or "")).strip().rstrip(" ?:;.").strip()
    if str(error) not in generic or not label:
        return str(error)
    return gettext("%(label)s : %(error)s") % {"label": label, "error": error}


@register.filter
def first_input_id(field: Any) -> str:
    """The id the summary links to: the field's, or its first part's (a date in three fields)."""
    return str(field.id_for_label or f"{field.auto_id}_0")
