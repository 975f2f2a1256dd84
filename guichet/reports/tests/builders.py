"""Builders shared by the reports tests and the dashboard's browser journey: dossiers written
directly with the events we choose (as the demo data and the bench do), signed-in clients."""

from collections.abc import Sequence
from datetime import date
from itertools import count
from typing import Any

from django.test import Client

from guichet.accounts.mfa import VERIFIED_KEY
from guichet.accounts.models import Unit, UnitService
from guichet.catalogue.models import Service
from guichet.dossiers.models import Dossier, DossierEvent, DossierState, EventKind
from guichet.testing import PASSWORD


def client_for(user: Any) -> Client:
    """A browser signed in as `user`, past the second factor (as after the log-in page)."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    session = client.session
    session[VERIFIED_KEY] = True
    session.save()
    return client


def service_on(code: str, day: date) -> Service:
    """The service of that code in the version of the declaration in force on `day`."""
    service = (
        Service.objects.filter(code=code, declaration__in_force_from__lte=day)
        .order_by("-declaration__in_force_from")
        .first()
    )
    assert service is not None
    return service


_numbers = count(1)


def insert_dossier(
    code: str,
    received: date,
    events: Sequence[tuple[str, date]] = (),
    *,
    unit: Unit | None = None,
    channel: str = "online",
) -> Dossier:
    """A dossier received on `received` with these events after its reception, in this order."""
    service = service_on(code, received)
    if unit is None:
        unit = UnitService.objects.select_related("unit").get(service_code=code).unit
    kinds = [k for k, _ in events]
    state = DossierState.RECEIVED
    for kind in kinds:
        if kind == EventKind.INCOMPLETENESS_NOTICE:
            state = DossierState.INCOMPLETE
        elif kind == EventKind.ITEMS_RECEIVED:
            state = DossierState.RECEIVED
        elif kind == EventKind.DECIDED:
            state = DossierState.DECIDED
        elif kind in (EventKind.WITHDRAWN, EventKind.CLOSED):
            state = DossierState(kind)
            break
    dossier = Dossier.objects.create(
        number=f"T-{next(_numbers):06d}",
        service=service,
        unit=unit,
        applicant_name="Dominique Exemple",
        channel=channel,
        received_on=received,
        state=state,
    )
    DossierEvent.objects.bulk_create(
        [
            DossierEvent(
                dossier=dossier,
                seq=seq,
                kind=kind,
                occurred_on=day,
                actor_label="test",
                details={},
            )
            for seq, (kind, day) in enumerate([(EventKind.RECEIVED, received), *events], start=1)
        ]
    )
    return dossier
