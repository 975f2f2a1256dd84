"""How many queries one booking request costs, middleware included: an exact upper bound so
the booking path cannot slowly grow back (the bench measures the same request)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guichet.appointments import services
from guichet.appointments.models import Booking
from guichet.appointments.tests.conftest import SERVICES, Offices, meeting_slot, signed_in
from guichet.testing import Personas

pytestmark = pytest.mark.django_db
NOW = "2026-12-04 10:00 -05:00"
# 2 of the shared middleware (the session; the person, read with what the middleware asks of
# them: guichet/accounts/backends.py), 2 of the view (the request and the slot offered), 10 of
# the booking: its BEGIN and COMMIT, the request and the seat (one conditional UPDATE each),
# the booking, the event, the access-log entry (3 on SQLite, 2 on PostgreSQL) and the
# confirmation queued.
MAX_QUERIES = 13 if connection.vendor == "postgresql" else 14


@time_machine.travel(NOW, tick=False)
def test_one_booking_request_stays_within_its_query_budget(
    personas: Personas, offices: Offices
) -> None:
    slot = meeting_slot(offices.montreal, personas.agent, "2026-12-09 09:00")
    request = services.request_create(
        client=personas.owner,
        service_code=SERVICES[0],
        office=offices.montreal,
        actor=personas.owner,
    )
    client = signed_in(personas.owner)
    client.get("/")  # the first page of a session may save it; the bench's requests do not
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/rendez-vous/{request.pk}/creneaux/{slot.pk}/")
    assert response.status_code == 302
    assert Booking.objects.filter(request=request, slot=slot).count() == 1
    assert len(queries) <= MAX_QUERIES
