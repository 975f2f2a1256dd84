"""50 people take the last seat at once, each on their own database connection: exactly one
gets it, 49 are told the session is full, and the seat is counted once. The same for one
agent's slot. PostgreSQL only: SQLite serializes writers on the whole file, so there is no
race to test there (the constraint itself is tested in test_booking.py on both)."""

import threading
from typing import Any

import pytest
import time_machine
from django.db import connection

from guichet.accounts.models import User
from guichet.appointments import services
from guichet.appointments.models import Booking, BookingState, Slot
from guichet.appointments.tests.conftest import SERVICES, Offices, meeting_slot, session_slot
from guichet.testing import Personas

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a race needs concurrent writers: SQLite locks the whole file for each write",
    ),
]
NOW = "2026-12-04 10:00 -05:00"
PEOPLE = 50


def race(slot: Slot, code: str, offices: Offices) -> list[Any]:
    clients = [
        User.objects.create_user(f"client{i}@example.org", "x", full_name=f"Client {i}")
        for i in range(PEOPLE)
    ]
    requests = [
        services.request_create(client=c, service_code=code, office=offices.montreal, actor=c)
        for c in clients
    ]
    barrier = threading.Barrier(PEOPLE)
    outcomes: list[Any] = []

    def book(i: int) -> None:
        try:
            barrier.wait()
            services.booking_create(request=requests[i], slot=slot, actor=clients[i])
            outcomes.append("won")
        except services.BookingError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@time_machine.travel(NOW, tick=True)
def test_fifty_people_and_the_last_seat_of_a_session(personas: Personas, offices: Offices) -> None:
    slot = session_slot(offices.montreal, offices.room, "2026-12-15 09:00", capacity=3)
    Slot.objects.filter(pk=slot.pk).update(booked=2)  # two seats already taken
    outcomes = race(slot, SERVICES[2], offices)
    assert len(outcomes) == PEOPLE
    assert outcomes.count("won") == 1
    losers = [o for o in outcomes if o != "won"]
    assert all(isinstance(o, services.BookingError) and "complet" in str(o) for o in losers)
    slot.refresh_from_db()
    assert slot.booked == 3
    assert Booking.objects.filter(slot=slot, state=BookingState.BOOKED).count() == 1


@time_machine.travel(NOW, tick=True)
def test_fifty_people_and_one_agent_slot(personas: Personas, offices: Offices) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    outcomes = race(slot, SERVICES[0], offices)
    assert outcomes.count("won") == 1
    assert sum(isinstance(o, services.BookingError) for o in outcomes) == PEOPLE - 1
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.filter(slot=slot).count() == 1
