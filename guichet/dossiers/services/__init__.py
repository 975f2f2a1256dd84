"""Every state change of a dossier: one typed, atomic function each, by concern: filing and
assignment (`filing`), items asked and received (`items`), intention, decision, review and the
endings (`decision`), the client's changes of situation and rectification (`changes`), linking
a paper dossier to an account (`linking`); what they share is in `base`.

Each function locks the dossier row (SELECT ... FOR UPDATE), refuses to act on a version other
than the one the actor saw (someone else acted in between), appends the event, rewrites the
clock caches, and schedules what must follow the commit (the e-mail that a letter is waiting).
Import from `guichet.dossiers.services`.
"""

from guichet.dossiers.services.base import (
    CLOCK_CACHE_FIELDS,
    Applicant,
    DossierError,
    NewDocument,
    StaleDossier,
    dossier_rederive_clocks,
    refresh_clocks,
)
from guichet.dossiers.services.changes import (
    RECTIFIABLE_FIELDS,
    SERVICE_EVENTS,
    dossier_record_mandate_event,
    dossier_record_service_event,
    dossier_rectify,
    dossier_report_change,
)
from guichet.dossiers.services.decision import (
    OBSERVATIONS_DAYS,
    dossier_add_observations,
    dossier_close,
    dossier_decide,
    dossier_notify_intention,
    dossier_request_review,
    dossier_withdraw,
    review_deadline,
)
from guichet.dossiers.services.filing import (
    Filed,
    dossier_acknowledge,
    dossier_assign,
    dossier_file,
    dossier_file_for_system,
    unit_for_service,
)
from guichet.dossiers.services.items import (
    FEE_CODE,
    FEE_ITEM,
    MissingItem,
    asked_items,
    dossier_add_documents,
    dossier_receive_items,
    dossier_record_fee_payment,
    dossier_request_items,
    incompleteness_candidates,
    incompleteness_letter_context,
    incompleteness_preview,
    outstanding_items,
    pending_notice,
)
from guichet.dossiers.services.linking import (
    LINK_CODE_MINUTES,
    LINK_MAX_ATTEMPTS,
    LinkOutcome,
    dossier_link_confirm,
    dossier_link_start,
)

__all__ = [
    "Applicant",
    "CLOCK_CACHE_FIELDS",
    "DossierError",
    "NewDocument",
    "StaleDossier",
    "dossier_rederive_clocks",
    "refresh_clocks",
    "dossier_acknowledge",
    "dossier_assign",
    "Filed",
    "dossier_file",
    "dossier_file_for_system",
    "unit_for_service",
    "FEE_CODE",
    "FEE_ITEM",
    "MissingItem",
    "asked_items",
    "dossier_add_documents",
    "dossier_receive_items",
    "dossier_record_fee_payment",
    "dossier_request_items",
    "incompleteness_candidates",
    "incompleteness_letter_context",
    "incompleteness_preview",
    "outstanding_items",
    "pending_notice",
    "OBSERVATIONS_DAYS",
    "dossier_add_observations",
    "dossier_close",
    "dossier_decide",
    "dossier_notify_intention",
    "dossier_request_review",
    "dossier_withdraw",
    "review_deadline",
    "RECTIFIABLE_FIELDS",
    "SERVICE_EVENTS",
    "dossier_record_mandate_event",
    "dossier_record_service_event",
    "dossier_rectify",
    "dossier_report_change",
    "LINK_CODE_MINUTES",
    "LINK_MAX_ATTEMPTS",
    "LinkOutcome",
    "dossier_link_confirm",
    "dossier_link_start",
]
