from django import template

from guichet.accounts.selectors import is_administrator as _is_administrator

register = template.Library()


@register.filter
def is_administrator(user: object) -> bool:
    """For the navigation: the Administration area."""
    return _is_administrator(user)
