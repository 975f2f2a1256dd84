from django import template

from guichet.accounts.models import GlobalRole, has_role

register = template.Library()


@register.filter
def is_privacy_officer(user: object) -> bool:
    """For the navigation: the privacy officer's screens."""
    return has_role(user, GlobalRole.PRIVACY_OFFICER)
