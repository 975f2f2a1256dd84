"""Every write of the privacy app, by concern: the incident register (`incidents`), legal
holds (`holds`) and requests for access or rectification (`requests`). Each writes its row of
the access log through guichet/audit/services.py. Import from `guichet.privacy.services`.
"""

from guichet.privacy.services.errors import PrivacyError
from guichet.privacy.services.holds import legal_hold_lift, legal_hold_place
from guichet.privacy.services.incidents import (
    INCIDENT_FIELDS,
    TRANSITION_WHY,
    TRANSITIONS,
    incident_assess,
    incident_close,
    incident_notify,
    incident_problems,
    incident_report,
    incident_update,
)
from guichet.privacy.services.requests import (
    RECOURSE_DAYS,
    REQUEST_WHY,
    info_request_answer_access,
    info_request_clock,
    info_request_extend,
    info_request_rectify,
    info_request_refuse_rectification,
    info_request_submit,
)

__all__ = [
    "PrivacyError",
    "INCIDENT_FIELDS",
    "TRANSITIONS",
    "TRANSITION_WHY",
    "incident_assess",
    "incident_close",
    "incident_notify",
    "incident_problems",
    "incident_report",
    "incident_update",
    "legal_hold_lift",
    "legal_hold_place",
    "RECOURSE_DAYS",
    "REQUEST_WHY",
    "info_request_answer_access",
    "info_request_clock",
    "info_request_extend",
    "info_request_rectify",
    "info_request_refuse_rectification",
    "info_request_submit",
]
