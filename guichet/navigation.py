"""The main navigation: which links a signed-in person gets, found in one query.

A context processor (settings.TEMPLATES), evaluated only when a page shows the navigation.
It decides what is *shown*; each area still checks access itself (staff_required,
supervisor_required, the privacy officer's and administrator's checks, the mandates' getters).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from guichet.accounts.models import GlobalRole, Membership, RoleGrant, User
from guichet.mandates.models import Consultant
from guichet.reports.selectors import RESULT_ROLES


@dataclass(frozen=True)
class Navigation:
    worklist: bool = False
    results: bool = False
    privacy: bool = False
    administration: bool = False
    mandates: bool = False


NOBODY = Navigation()


def navigation_for(user: object) -> Navigation:
    if not isinstance(user, User) or not user.pk:
        return NOBODY
    member = Membership.objects.filter(user=OuterRef("pk"))

    def grant(role: GlobalRole) -> Exists:
        return Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role=role))

    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            worklist=Exists(member),
            results=Exists(member.filter(role__in=RESULT_ROLES)),
            privacy=grant(GlobalRole.PRIVACY_OFFICER),
            administration=grant(GlobalRole.ADMINISTRATOR),
            mandates=Exists(Consultant.objects.filter(user=OuterRef("pk"))),
        )
        .values("worklist", "results", "privacy", "administration", "mandates")
        .first()
    )
    return Navigation(**flags) if flags else NOBODY


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav": SimpleLazyObject(lambda: navigation_for(getattr(request, "user", None)))}
