"""The meetings' services for the retention schedule (rule `appointments` of
privacy/retention.toml): once its period is over, an ended request (held, no-show, postponed,
cancelled) keeps what the results count (service, office, mode, the dates, the outcome, the
bookings' times) and loses the person: the client's account, a walk-in's name, the needs
declared (`AppointmentRequest.PERSONAL_FIELDS`) and the free details of its history
(`MeetingEvent.PERSONAL_FIELDS`). The privacy app's purge decides what is due, checks the
legal holds and calls them through the registry (guichet/retention.py), inside
`purge_writable()` since the history is append-only; nothing else should.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from guichet.accounts.models import ANONYMIZED
from guichet.appointments.models import (
    ENDED_WITHOUT_OUTCOME,
    AppointmentRequest,
    MeetingEvent,
    RequestState,
)
from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.retention import Due, register_retention

ENDED = (RequestState.HELD, *ENDED_WITHOUT_OUTCOME)
# An anonymized request: no client, no name, no needs.
_ANONYMOUS = (
    Q(client__isnull=True)
    & Q(walk_in_name__in=["", ANONYMIZED])
    & Q(
        interpreter_language="",
        sign_language=False,
        child_care=False,
        accessible_room=False,
    )
)


@transaction.atomic
def appointment_request_anonymize(
    *, request: AppointmentRequest, why: str, actor_label: str
) -> None:
    """Empty what identifies the person on an ended request and in its history."""
    access_log_system_entry(
        action=AccessAction.ANONYMIZE,
        subject_kind=SubjectKind.APPOINTMENT,
        why=why,
        actor_label=actor_label,
        subject_id=request.pk,
        person=request.client_id,
    )
    for field, blank in AppointmentRequest.PERSONAL_FIELDS.items():
        value = ANONYMIZED if field == "walk_in_name" and request.walk_in_name else blank
        setattr(request, field, value)
    request.client = None
    request.save(update_fields=[*AppointmentRequest.PERSONAL_FIELDS, "client"])
    MeetingEvent.objects.filter(request=request).exclude(details={}).update(details={})


def _due(cutoff: date, action: str) -> list[Due]:
    requests = (
        AppointmentRequest.objects.filter(state__in=ENDED)
        .exclude(_ANONYMOUS)
        .annotate(last_on=Max("events__on"))
        .filter(last_on__lte=cutoff)
        .order_by("pk")
    )
    return [
        Due(
            f"demande de rendez-vous n° {r.pk}",
            r,
            person_ids=frozenset({r.client_id}) if r.client_id else frozenset(),
        )
        for r in requests
    ]


def _apply(record: Any, *, action: str, why: str, actor_label: str, staff_ids: set[int]) -> bool:
    request = AppointmentRequest.objects.filter(pk=record.pk).first()
    if request is None or request.state not in ENDED:
        return False
    appointment_request_anonymize(request=request, why=why, actor_label=actor_label)
    return True


register_retention("appointments", due=_due, apply=_apply)
