"""What the mandates add to the portal's dossier page (guichet/dossiers/views/portal.py)."""

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierEvent
from guichet.mandates.history import portal_history
from guichet.mandates.selectors import mandate_in_force, mandates_of_dossier


def dossier_page_context(
    dossier: Dossier, viewer: User, events: Sequence[DossierEvent]
) -> dict[str, Any]:
    """The owner sees every mandate of the dossier, current and past, and may give or revoke
    one; a consultant sees the mandate they act under. Both see who did what."""
    today = timezone.localdate()
    is_owner = dossier.client_id == viewer.pk
    mandates = (
        [{"mandate": m, "in_force": m.in_force_on(today)} for m in mandates_of_dossier(dossier.pk)]
        if is_owner
        else []
    )
    return {
        "is_owner": is_owner,
        "acting_mandate": None
        if is_owner
        else mandate_in_force(user=viewer, dossier_id=dossier.pk, on=today),
        "mandates": mandates,
        "history": portal_history(dossier, events, viewer),
    }
