from django import template

from guichet.mandates.selectors import consultant_of

register = template.Library()


@register.filter
def is_consultant(user: object) -> bool:
    """For the navigation: "Mes mandats", for an account in the register of consultants."""
    return consultant_of(user) is not None
