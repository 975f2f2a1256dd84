"""The main navigation: which links a signed-in person gets, found in one query.

A context processor (settings.TEMPLATES), evaluated only when a page shows the navigation.
It decides what is *shown*; each area still checks access itself (staff_required,
supervisor_required, the privacy officer's and administrator's checks, the mandates' getters).
"""

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from guichet.accounts.models import GlobalRole, Membership, RoleGrant, StaffRole, User
from guichet.accounts.selectors import RESULT_ROLES
from guichet.mandates.models import Consultant


@dataclass(frozen=True)
class Navigation:
    worklist: bool = False
    results: bool = False
    privacy: bool = False
    administration: bool = False
    mandates: bool = False
    complaints: bool = False
    # A supervisor follows the Commissaire's recommendations to their units.
    recommendations: bool = False


NOBODY = Navigation()


def navigation_for(user: object) -> Navigation:
    if not isinstance(user, User) or not user.pk:
        return NOBODY
    # On every page: one plain statement, its text built once (the ORM took a millisecond of
    # CPU to compile the same five EXISTS on each page).
    with connection.cursor() as cursor:
        cursor.execute(_flags_query(), _flags_params(user.pk))
        row = cursor.fetchone()
    return Navigation(*(bool(flag) for flag in row))


def _flags_params(user_id: int) -> list[int | str]:
    return [
        user_id,
        user_id,
        *RESULT_ROLES,
        user_id,
        GlobalRole.PRIVACY_OFFICER,
        user_id,
        GlobalRole.ADMINISTRATOR,
        user_id,
        user_id,
        GlobalRole.COMMISSAIRE,
        user_id,
        StaffRole.SUPERVISOR,
    ]


@functools.cache
def _flags_query() -> str:
    """The Navigation's flags, in the order of its fields."""
    q = connection.ops.quote_name
    members, grants = q(Membership._meta.db_table), q(RoleGrant._meta.db_table)
    consultants = q(Consultant._meta.db_table)
    roles = ", ".join(["%s"] * len(RESULT_ROLES))
    return (
        f"SELECT EXISTS(SELECT 1 FROM {members} WHERE user_id = %s),"  # noqa: S608 (names from the models)
        f" EXISTS(SELECT 1 FROM {members} WHERE user_id = %s AND role IN ({roles})),"
        f" EXISTS(SELECT 1 FROM {grants} WHERE user_id = %s AND role = %s),"
        f" EXISTS(SELECT 1 FROM {grants} WHERE user_id = %s AND role = %s),"
        f" EXISTS(SELECT 1 FROM {consultants} WHERE user_id = %s),"
        f" EXISTS(SELECT 1 FROM {grants} WHERE user_id = %s AND role = %s),"
        f" EXISTS(SELECT 1 FROM {members} WHERE user_id = %s AND role = %s)"
    )


# Pages for staff (back office, results, administration, the privacy officer's): their footer
# speaks to staff, not to a client about "votre demande". The client's own privacy pages
# (policy, "mes renseignements") are not among them.
STAFF_PREFIXES = ("/bureau/", "/resultats/", "/administration/", "/admin/")
PRIVACY_STAFF_PREFIXES = (
    "/confidentialite/journal/",
    "/confidentialite/incidents/",
    "/confidentialite/conservation/",
    "/confidentialite/demandes/",
)


def is_staff_page(path: str) -> bool:
    return path == "/confidentialite/" or path.startswith(STAFF_PREFIXES + PRIVACY_STAFF_PREFIXES)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav": SimpleLazyObject(lambda: navigation_for(getattr(request, "user", None))),
        "staff_page": is_staff_page(request.path),
    }
