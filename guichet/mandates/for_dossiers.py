"""The one way the dossiers app reaches mandates (docs/adr/0006): who may read a client's
dossier as their consultant, and how a dossier's pages show its mandates. Everything else of
this app reads dossiers, never the reverse; import-linter lets the dossiers import this module
and nothing else of mandates (pyproject.toml).
"""

from guichet.mandates.history import ever_mandated, office_history
from guichet.mandates.models import Mandate
from guichet.mandates.pages import dossier_page_context
from guichet.mandates.selectors import mandate_in_force, mandated_dossier_ids, mandates_in_force

__all__ = [
    "Mandate",
    "dossier_page_context",
    "ever_mandated",
    "mandate_in_force",
    "mandated_dossier_ids",
    "mandates_in_force",
    "office_history",
]
