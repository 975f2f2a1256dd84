"""A dossier comes in: filed (online, by mail, in person), assigned to an agent, acknowledged."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from guichet.accounts.models import Membership, UnitService, User
from guichet.audit.services import access_log_read
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Service, ServiceKind
from guichet.clock import BusinessCalendar
from guichet.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    EventKind,
    Letter,
    LetterKind,
)
from guichet.dossiers.services.base import (
    Applicant,
    DossierError,
    NewDocument,
    _event,
    _letter,
    _lock,
    _require_open,
    _save,
    _store_documents,
    _today,
)
from guichet.rows import from_row


def unit_for_service(service: Service) -> UnitService:
    try:
        return UnitService.objects.select_related("unit").get(service_code=service.code)
    except UnitService.DoesNotExist:
        raise DossierError(
            f"Aucune unité n'est responsable du service « {service.name_fr} »."
        ) from None


@transaction.atomic
def dossier_file(
    *,
    service: Service,
    applicant: Applicant,
    actor: User | None,
    client: User | None = None,
    channel: Channel = Channel.ONLINE,
    received_on: date | None = None,
    documents: Sequence[NewDocument] = (),
    actor_label: str = "",
) -> Dossier:
    """Open a dossier. Online and API requests are received today; for mail and in-person
    requests the agent enters the real date of reception (postal delays never count)."""
    return _file(
        service=service,
        applicant=applicant,
        actor=actor,
        client=client,
        channel=channel,
        received_on=received_on,
        documents=documents,
        actor_label=actor_label,
    ).dossier


@dataclass(frozen=True)
class Filed:
    """A dossier just opened, with its events and the calendar its clocks were derived with:
    enough to answer with its clocks without reading anything again."""

    dossier: Dossier
    events: list[DossierEvent]
    cal: BusinessCalendar


@transaction.atomic
def dossier_file_for_system(
    *,
    service: Service,
    owner: UnitService,
    applicant: Applicant,
    actor_id: int,
    actor_label: str,
    channel: Channel,
    received_on: date,
    why: str,
) -> Filed:
    """Filing by another system (the API), answered at once: the system's reading of the
    dossier it is answered with is logged in the filing's transaction (one commit, and never
    a dossier answered without its entry). The caller has found the unit that owns the
    service (`owner`) and checked the account belongs to it; the account is only referred to
    by its id (any other field of it loads if asked for)."""
    filed = _file(
        service=service,
        applicant=applicant,
        actor=from_row(User, ["id"], [actor_id]),
        channel=channel,
        received_on=received_on,
        actor_label=actor_label,
        owner=owner,
    )
    access_log_read(dossier=filed.dossier, actor=actor_id, why=why)
    return filed


def _file(
    *,
    service: Service,
    applicant: Applicant,
    actor: User | None,
    client: User | None = None,
    channel: Channel = Channel.ONLINE,
    received_on: date | None = None,
    documents: Sequence[NewDocument] = (),
    actor_label: str = "",
    owner: UnitService | None = None,
) -> Filed:
    """The filing itself, inside the caller's transaction."""
    today = _today()
    received = received_on or today
    if received > today:
        raise DossierError("La date de réception ne peut pas être dans le futur.")
    if service.kind != ServiceKind.APPLICATION:
        raise DossierError(f"« {service.name_fr} » ne se demande pas par un dossier.")
    in_force = service.declaration.in_force_from <= received and (
        service.declaration.in_force_to is None or received <= service.declaration.in_force_to
    )
    if not in_force:
        raise DossierError("Ce service n'était pas offert à cette date de réception.")
    if not applicant.name.strip():
        raise DossierError("Le nom du demandeur est obligatoire.")
    owner = owner or unit_for_service(service)
    dossier = Dossier.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",  # replaced below, once the id is known
        service=service,
        unit_id=owner.unit_id,
        client=client,
        applicant_name=applicant.name.strip(),
        applicant_email=applicant.email.strip(),
        postal_address=applicant.postal_address.strip(),
        birth_date=applicant.birth_date,
        passport_number=applicant.passport_number.strip(),
        channel=channel,
        received_on=received,
    )
    dossier.number = f"{received.year}-{dossier.pk:06d}"
    stored = _store_documents(dossier, documents, actor)
    received_event = _event(
        dossier,
        EventKind.RECEIVED,
        actor,
        on=received,
        actor_label=actor_label,
        first=True,
        channel=channel,
        documents=[d.pk for d in stored],
    )
    # Its only event: the clocks are derived from it without reading it back, and the new
    # dossier has no cached clock to delete.
    cal = business_calendar()
    _save(dossier, "number", events=[received_event], fresh=True, cal=cal)
    return Filed(dossier, [received_event], cal)


@transaction.atomic
def dossier_assign(
    *, dossier: Dossier, agent: User, actor: User, expected_version: int | None = None
) -> Dossier:
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if not Membership.objects.filter(user=agent, unit_id=dossier.unit_id).exists():
        raise DossierError(f"{agent} n'est pas membre de l'unité responsable de ce dossier.")
    if dossier.client_id == agent.pk:
        raise DossierError(
            f"{agent} est le client de ce dossier : il ne peut pas le traiter (conflit d'intérêts)."
        )
    dossier.assigned_to = agent
    _event(dossier, EventKind.ASSIGNED, actor, agent=agent.pk, agent_name=str(agent))
    _save(dossier, "assigned_to")
    return dossier


@transaction.atomic
def dossier_acknowledge(
    *, dossier: Dossier, actor: User, expected_version: int | None = None
) -> Letter:
    """Send the acknowledgment (the letter confirming the file is open)."""
    dossier = _lock(dossier, expected_version)
    _require_open(dossier)
    if dossier.events.filter(kind=EventKind.ACKNOWLEDGED).exists():
        raise DossierError("L'accusé de réception a déjà été envoyé.")
    event = _event(dossier, EventKind.ACKNOWLEDGED, actor)
    _save(dossier)
    expected = dossier.due_date  # the earliest due date of the running clocks, just cached
    return _letter(
        dossier,
        LetterKind.ACKNOWLEDGMENT,
        event,
        {
            "expected": expected,
            "officer": str(actor),
        },
    )
