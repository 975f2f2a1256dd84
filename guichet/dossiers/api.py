"""Dossiers through the API: filing from another system, status with clocks, history.

A token acts as its service account: it sees and files dossiers of the units where that
account has a role, like a staff member (`selectors.dossier_get_for_staff`), and a dossier of
any other unit does not exist for it (404).
"""

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, field_validator

from guichet.apitools import invalid, request_token
from guichet.calendars.services import business_calendar, current_calendar
from guichet.clock import BusinessCalendar
from guichet.dossiers.clocks import DerivedClock, derive_clocks
from guichet.dossiers.models import (
    NUMBER_FORMAT,
    NUMBER_MAX_LENGTH,
    Channel,
    Dossier,
    DossierEvent,
    DossierState,
)
from guichet.dossiers.selectors import (
    clock_events,
    dossier_get_for_staff,
    dossier_get_for_system,
    filing_target,
)
from guichet.dossiers.services import Applicant, dossier_file_for_system

router = Router(tags=["dossiers"])

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters break PostgreSQL text (NUL) or have no place in a name; a postal address
# keeps its line breaks.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")

# What the validators below enforce, as the JSON Schema patterns of the OpenAPI document (for
# the calling systems; tests/test_api_schema.py checks that both agree). Written with explicit
# classes, which mean the same in ECMA-262 (JSON Schema's regexes) and in Python: their \s do
# not. SPACE is what Python's str.strip() removes (str.isspace).
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Neither a control character nor a space.
_SOLID = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# Not blank once stripped, and no control character once stripped.
ONE_LINE_PATTERN = rf"^[{SPACE}]*{_SOLID}(?:[^\x00-\x1f\x7f]*{_SOLID})?[{SPACE}]*$"
ADDRESS_PATTERN = r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f]*$"
BLANK_PATTERN = rf"^[{SPACE}]*$"
ISO_DAY_PATTERN = rf"^{ISO_DAY.pattern}$"


# A number in another format, or longer, is no dossier: 404, like a number that does not exist
# or a dossier of another unit (the API never says whether a dossier exists).
DossierNumber = Annotated[
    str,
    Field(
        description="Numéro du dossier, par exemple 2026-000123.",
        json_schema_extra={
            "maxLength": NUMBER_MAX_LENGTH,
            "pattern": rf"^{NUMBER_FORMAT.pattern}$",
        },
    ),
]


class Error(Schema):
    detail: str = Field(..., description="Ce qui ne va pas, en français.")


class DossierIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service: str = Field(
        ...,
        max_length=60,
        description=(
            "Code du service dans la déclaration en vigueur à la date de réception "
            "(sinon 422). Les blancs autour sont retirés ; ni vide ni caractère de contrôle."
        ),
        json_schema_extra={"minLength": 1, "pattern": ONE_LINE_PATTERN},
    )
    applicant_name: str = Field(
        ...,
        max_length=200,
        description=(
            "Nom du demandeur. Les blancs autour sont retirés ; ni vide ni caractère de contrôle."
        ),
        json_schema_extra={"minLength": 1, "pattern": ONE_LINE_PATTERN},
    )
    applicant_email: str = Field(
        "",
        max_length=254,
        description=(
            "Courriel du demandeur : une adresse valide, ou vide. Les blancs autour sont retirés."
        ),
        json_schema_extra={"anyOf": [{"pattern": BLANK_PATTERN}, {"format": "email"}]},
    )
    postal_address: str = Field(
        "",
        max_length=1000,
        description="Adresse postale ; sauts de ligne permis, aucun autre caractère de contrôle.",
        json_schema_extra={"pattern": ADDRESS_PATTERN},
    )
    received_on: date | None = Field(
        None,
        description="Date de réception (AAAA-MM-JJ), au plus aujourd'hui ; aujourd'hui par défaut.",
        # Only the text "AAAA-MM-JJ" (no timestamp, no date-time); "pattern" applies to text
        # only, so null stays allowed.
        json_schema_extra={"pattern": ISO_DAY_PATTERN},
    )
    channel: Literal["api", "mail", "in_person"] = Field(
        "api", description="Mode de réception : par un autre système, par la poste, en personne."
    )

    @field_validator("service", "applicant_name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(gettext("ne peut pas être vide"))
        if CONTROL.search(value):
            raise ValueError(gettext("caractères de contrôle interdits"))
        return value

    @field_validator("applicant_email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError(gettext("adresse courriel invalide")) from None
        return value

    @field_validator("postal_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if CONTROL_EXCEPT_LINES.search(value):
            raise ValueError(gettext("caractères de contrôle interdits"))
        return value.strip()

    @field_validator("received_on", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        # Only "AAAA-MM-JJ": no timestamps, no date-times that pydantic would also accept.
        if value is not None and not (isinstance(value, str) and ISO_DAY.fullmatch(value)):
            raise ValueError(gettext("date invalide : format AAAA-MM-JJ attendu"))
        return value

    @field_validator("received_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        today = timezone.localdate()
        if value is not None and value > today:
            raise ValueError(
                gettext(
                    "la date de réception ne peut pas être dans le futur (aujourd'hui : %(today)s)"
                )
                % {"today": today.isoformat()}
            )
        return value


class ServiceOut(Schema):
    code: str
    name: str


ClockStatus = Literal["running", "suspended", "overdue", "stopped", "not_started"]


class ClockOut(Schema):
    commitment: str = Field(..., description="Code de l'engagement.")
    label: str
    target: int
    unit: str
    started_on: date | None
    stopped_on: date | None
    due_date: date | None = Field(..., description="Nulle pendant une suspension ouverte.")
    status: ClockStatus
    elapsed: int = Field(..., description="Jours comptés jusqu'à aujourd'hui (ou à l'arrêt).")
    suspended_days: int
    outcome: Literal["met", "missed"] | None


class DossierOut(Schema):
    number: str
    service: ServiceOut
    state: str = Field(..., description=", ".join(DossierState.values))
    state_label: str
    received_on: date
    channel: str = Field(..., description=", ".join(Channel.values))
    decision: str | None
    decided_on: date | None
    due_date: date | None
    assigned_to: str | None
    clocks: list[ClockOut]


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    occurred_on: date
    recorded_at: datetime
    actor: str
    details: dict[str, Any]


def _clock_out(clock: DerivedClock, cal: BusinessCalendar, today: date) -> ClockOut:
    commitment = clock.commitment
    state = clock.as_of(cal, today)
    status: ClockStatus
    if state is None:
        status = "not_started"
    elif clock.stopped_on is not None:
        status = "stopped"
    else:
        status = cast(ClockStatus, str(state.status))
    return ClockOut(
        commitment=commitment.code,
        label=commitment.label_fr,
        target=commitment.target,
        unit=commitment.unit,
        started_on=clock.started_on,
        stopped_on=clock.stopped_on,
        due_date=clock.due_date,
        status=status,
        elapsed=state.elapsed if state else 0,
        suspended_days=state.suspended_days if state else 0,
        outcome=clock.outcome.value if clock.outcome else None,
    )


def dossier_out(
    dossier: Dossier,
    cal: BusinessCalendar | None = None,
    events: Sequence[DossierEvent] | None = None,
) -> DossierOut:
    today = timezone.localdate()
    cal = cal or business_calendar()
    clocks = derive_clocks(cal, dossier, list(dossier.events.all()) if events is None else events)
    return DossierOut(
        number=dossier.number,
        service=ServiceOut(code=dossier.service.code, name=dossier.service.name_fr),
        state=dossier.state,
        state_label=str(DossierState(dossier.state).label),
        received_on=dossier.received_on,
        channel=dossier.channel,
        decision=dossier.decision or None,
        decided_on=dossier.decided_on,
        due_date=dossier.due_date,
        assigned_to=str(dossier.assigned_to) if dossier.assigned_to else None,
        clocks=[_clock_out(c, cal, today) for c in clocks],
    )


@router.post(
    "",
    response={201: DossierOut, 400: Error, 401: Error, 403: Error, 409: Error, 422: Error},
    summary="Déposer un dossier",
    description=(
        "Ouvre un dossier reçu par un autre système, ou par la poste ou en personne à sa date "
        "réelle de réception. Le service est celui de ce code dans la déclaration en vigueur à "
        "la date de réception ; le compte de service du jeton doit être membre de l'unité "
        "responsable du service."
    ),
)
def file_dossier(
    request: HttpRequest, payload: DossierIn, response: HttpResponse
) -> Status[DossierOut]:
    """Open a dossier received by another system (or by mail or in person, on its real date).

    The service is the one of that code in the declaration in force on the date of
    reception; the token's service account must belong to the unit that owns it.
    """
    token = request_token(request)
    day = payload.received_on or timezone.localdate()
    # The service of that code in force that day, its unit, the account's membership of it.
    service, owner, member = filing_target(payload.service, day, token.user_id)
    if service is None:
        raise invalid(
            "service",
            gettext("aucun service « %(code)s » n'est offert le %(day)s")
            % {"code": payload.service, "day": day.isoformat()},
        )
    if owner is None or not member:
        raise PermissionDenied(
            gettext("Ce jeton ne peut pas déposer de dossier pour le service « %(code)s ».")
            % {"code": service.code}
        )
    filed = dossier_file_for_system(
        service=service,
        owner=owner,
        applicant=Applicant(
            name=payload.applicant_name,
            email=payload.applicant_email,
            postal_address=payload.postal_address,
        ),
        actor_id=token.user_id,
        actor_label=gettext("API : %(name)s") % {"name": token.name},
        channel=Channel(payload.channel),
        received_on=day,
        why="dépôt par un autre système (API)",
    )
    response["Location"] = reverse("api:dossier_status", kwargs={"number": filed.dossier.number})
    # Answered as filed, without reading it back: it is in the scope of the token (its unit is
    # the one the account belongs to, and it has no client), and its reading is logged.
    return Status(201, dossier_out(filed.dossier, filed.cal, filed.events))


@router.get(
    "/{number}",
    response={200: DossierOut, 401: Error, 404: Error},
    summary="État d'un dossier",
    description="État, décision et délais du dossier, calculés à la date du jour.",
)
def dossier_status(request: HttpRequest, number: DossierNumber) -> HttpResponse:
    """The dossier's state, decision and clocks as of today."""
    dossier = dossier_get_for_system(
        request_token(request).user_id, number, why="consultation par un autre système (API)"
    )
    return HttpResponse(status_json(dossier), content_type="application/json")


STATUS_TTL = 3600  # seconds; the key already changes with the dossier, the day and the calendar


def status_json(dossier: Dossier) -> bytes:
    """The status document, computed once per dossier version, day and calendar.

    Everything in it follows from the dossier's events (its version changes with each), the
    date and the business calendar; the read itself is still checked and logged every time.
    """
    stamp, cal = current_calendar()
    key = f"api:status:{dossier.pk}:{dossier.version}:{timezone.localdate()}:{stamp}"
    body: bytes | None = cache.get(key)
    if body is None:
        body = dossier_out(dossier, cal, clock_events(dossier.pk)).model_dump_json().encode()
        cache.set(key, body, STATUS_TTL)
    return body


@router.get(
    "/{number}/events",
    response={200: list[EventOut], 401: Error, 404: Error},
    summary="Historique d'un dossier",
    description="Les événements du dossier, dans l'ordre de leur inscription.",
)
def dossier_events(request: HttpRequest, number: DossierNumber) -> list[EventOut]:
    """The dossier's events, in the order they were recorded."""
    dossier = dossier_get_for_staff(
        request_token(request).user, number, why="consultation par un autre système (API)"
    )
    return [
        EventOut(
            seq=e.seq,
            kind=e.kind,
            kind_label=e.kind_label,
            occurred_on=e.occurred_on,
            recorded_at=timezone.localtime(e.recorded_at),
            actor=e.actor_label,
            details=e.details,
        )
        for e in dossier.events.order_by("seq")
    ]
