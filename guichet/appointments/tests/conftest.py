"""Fixtures of the meetings tests: two offices, each the office of a unit of the personas
(the agent and the supervisor work at Montréal, the other agent at Québec), and slots."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guichet.accounts.models import Unit
from guichet.appointments.models import Office, Room, Slot, SlotKind
from guichet.appointments.services import slot_publish
from guichet.testing import PASSWORD, Personas

TZ = ZoneInfo("America/Toronto")
SERVICES = [
    "siq-rencontre-individuelle",
    "siq-seance-groupe",
    "s-adapter-monde-travail",
    "accompagnement-ordre-professionnel",
]


@dataclass(frozen=True)
class Offices:
    montreal: Office
    quebec: Office
    room: Room


@pytest.fixture
def offices(personas: Personas) -> Offices:
    montreal = Office.objects.create(
        code="siq-montreal",
        name="SIQ Montréal",
        unit=Unit.objects.get(code="caq"),
        address="285, rue Notre-Dame Ouest, Montréal",
        region="Montréal",
        hours="8 h 30 à 16 h 30",
        services=SERVICES,
    )
    quebec = Office.objects.create(
        code="siq-quebec",
        name="SIQ Québec",
        unit=Unit.objects.get(code="csq"),
        address="930, chemin Sainte-Foy, Québec",
        region="Capitale-Nationale",
        hours="8 h 30 à 16 h 30",
        services=SERVICES,
    )
    room = Room.objects.create(office=montreal, name="Salle Laurier", capacity=20)
    return Offices(montreal, quebec, room)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def meeting_slot(office: Office, agent: Any, at: str, code: str = SERVICES[0]) -> Slot:
    return slot_publish(
        office=office,
        service_code=code,
        kind=SlotKind.MEETING,
        starts_at=local(at),
        minutes=45,
        actor=agent,
        agent=agent,
    )


def session_slot(
    office: Office, room: Room, at: str, capacity: int, code: str = SERVICES[2]
) -> Slot:
    return slot_publish(
        office=office,
        service_code=code,
        kind=SlotKind.SESSION,
        starts_at=local(at),
        minutes=180,
        actor=None,
        room_id=room.pk,
        capacity=capacity,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client
