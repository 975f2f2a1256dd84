"""The retention schedule for meetings: an ended request loses the person after its period,
an open one never, a legal hold on the person spares it; the results keep counting it."""

from datetime import date

import pytest
import time_machine

from guichet.accounts.models import GlobalRole, RoleGrant, User
from guichet.appointments import services
from guichet.appointments.models import AppointmentRequest, MeetingEvent, RequestState
from guichet.appointments.tests.conftest import Offices, local, meeting_slot
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.measures import stopped_between
from guichet.privacy.services import legal_hold_lift, legal_hold_place
from guichet.testing import PASSWORD, Personas, run_command

pytestmark = pytest.mark.django_db
LINE = "appointments (anonymiser 2 ans après la fin de la demande de rendez-vous)"


def held_meeting(
    personas: Personas, offices: Offices, client: User, hour: int
) -> AppointmentRequest:
    with time_machine.travel(local("2026-12-04 10:00"), tick=False):
        request = services.request_create(
            client=client,
            service_code="siq-rencontre-individuelle",
            office=offices.montreal,
            actor=client,
            interpreter_language="es",
            child_care=True,
        )
        slot = meeting_slot(offices.montreal, personas.agent, f"2026-12-09 {hour:02d}:00")
        booking = services.booking_create(request=request, slot=slot, actor=client)
    for step, at in (
        (services.booking_check_in, f"2026-12-09 {hour - 1:02d}:55"),
        (services.booking_start, f"2026-12-09 {hour:02d}:04"),
        (services.booking_hold, f"2026-12-09 {hour:02d}:40"),
    ):
        with time_machine.travel(local(at), tick=False):
            step(booking=booking, actor=personas.agent)
    request.refresh_from_db()
    return request


def test_an_ended_request_loses_the_person_and_keeps_its_figures(
    capsys: pytest.CaptureFixture[str], personas: Personas, offices: Offices
) -> None:
    officer = User.objects.create_user("rprp@example.org", PASSWORD, full_name="Pat Protection")
    RoleGrant.objects.create(user=officer, role=GlobalRole.PRIVACY_OFFICER)
    mine = held_meeting(personas, offices, personas.owner, 9)
    theirs = held_meeting(personas, offices, personas.other_client, 11)
    with time_machine.travel(local("2027-01-05 10:00"), tick=False):
        still_open = services.request_create(
            client=personas.other_client,
            service_code="siq-rencontre-individuelle",
            office=offices.montreal,
            actor=personas.other_client,
        )
    figures = stopped_between(date(2026, 12, 1), date(2026, 12, 31))
    hold = legal_hold_place(actor=officer, person=personas.owner, reason="Recours au TAQ.")

    # Too early: 2 years after the last event (2026-12-09) is 2028-12-09.
    early = run_command(capsys, "purge", "--as-of", "2028-12-08")
    assert f"{LINE} : 0 à anonymiser" in early.out
    with time_machine.travel("2029-01-10 03:00 -05:00", tick=False):
        result = run_command(capsys, "purge", "--apply")
    assert result.code == 0, result.err
    assert f"{LINE} : 1 anonymisé(s), 1 sous conservation légale" in result.out

    theirs.refresh_from_db()
    assert (theirs.client_id, theirs.interpreter_language, theirs.child_care) == (None, "", False)
    assert (theirs.state, str(theirs.held_on)) == (RequestState.HELD, "2026-12-09")
    assert not MeetingEvent.objects.filter(request=theirs).exclude(details={}).exists()
    mine.refresh_from_db()
    assert (mine.client_id, mine.interpreter_language) == (personas.owner.pk, "es")
    still_open.refresh_from_db()
    assert still_open.client_id == personas.other_client.pk
    entry = AccessLog.objects.get(
        subject_kind=SubjectKind.APPOINTMENT, action=AccessAction.ANONYMIZE
    )
    assert (entry.subject_id, entry.person_id, entry.actor_label) == (
        theirs.pk,
        personas.other_client.pk,
        "guichet purge",
    )
    # The results count the same clocks as before.
    after = stopped_between(date(2026, 12, 1), date(2026, 12, 31))
    assert sorted(zip(after.commitment.tolist(), after.elapsed.tolist(), strict=True)) == sorted(
        zip(figures.commitment.tolist(), figures.elapsed.tolist(), strict=True)
    )
    # The hold lifted, the next purge does the held one; then nothing is left.
    legal_hold_lift(hold=hold, actor=officer)
    with time_machine.travel("2029-01-11 03:00 -05:00", tick=False):
        run_command(capsys, "purge", "--apply")
        again = run_command(capsys, "purge")
    mine.refresh_from_db()
    assert mine.client_id is None
    assert f"{LINE} : 0 à anonymiser" in again.out
