"""`{% load reports_nav %}{% if user|sees_results %}`: the navigation link to the results."""

from django import template

from guichet.reports.selectors import supervised_units

register = template.Library()


@register.filter
def sees_results(user: object) -> bool:
    return supervised_units(user).exists()
