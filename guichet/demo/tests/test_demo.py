"""guichet demo: the demo accounts work, and the bulk-written histories obey the same rules as
dossiers made through the service functions (events, states, clock caches)."""

import random
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.db.models import Count

from guichet.accounts.models import Membership, StaffRole, UnitService, User
from guichet.calendars.services import business_calendar
from guichet.catalogue.models import Service, ServiceKind
from guichet.demo.people import DEMO_PASSWORD
from guichet.dossiers.clocks import derive_clocks, earliest
from guichet.dossiers.models import (
    OPEN_STATES,
    Dossier,
    DossierClock,
    DossierEvent,
    DossierState,
    EventKind,
    Letter,
    LetterKind,
)
from guichet.testing import CommandRun, run_command

pytestmark = pytest.mark.django_db

# A Monday; the demo's twelve months then run from 2025-03-16.
TODAY = "2026-03-16 10:00 -04:00"

# The last event of these kinds sets the state; no such event leaves the dossier received.
STATE_OF_EVENT = {
    EventKind.RECEIVED: DossierState.RECEIVED,
    EventKind.ITEMS_RECEIVED: DossierState.RECEIVED,
    EventKind.INCOMPLETENESS_NOTICE: DossierState.INCOMPLETE,
    EventKind.INTENTION_TO_REFUSE: DossierState.INTENTION,
    EventKind.DECIDED: DossierState.DECIDED,
    EventKind.WITHDRAWN: DossierState.WITHDRAWN,
    EventKind.CLOSED: DossierState.CLOSED,
}


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def demo(capsys: pytest.CaptureFixture[str], frozen: None) -> CommandRun:
    return run_command(capsys, "demo", "--dossiers", "120")


def snapshot() -> dict[str, object]:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "password")),
        "dossiers": list(Dossier.objects.order_by("pk").values()),
        "events": DossierEvent.objects.count(),
        "clocks": DossierClock.objects.count(),
        "letters": Letter.objects.count(),
        "memberships": Membership.objects.count(),
        "unit_services": UnitService.objects.count(),
    }


def test_the_three_demo_logins_work_with_the_published_password(demo: CommandRun) -> None:
    assert demo.code == 0
    for email in ("client@example.org", "agent@example.org", "superviseur@example.org"):
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None and user.email == email
    roles = {
        (m.user.email, m.unit.name, m.role)
        for m in Membership.objects.select_related("user", "unit").filter(
            user__email__in=["agent@example.org", "superviseur@example.org"]
        )
    }
    assert roles == {
        ("agent@example.org", "Direction de l'immigration temporaire", StaffRole.AGENT),
        ("superviseur@example.org", "Direction de l'immigration temporaire", StaffRole.SUPERVISOR),
        # They also work at the Montréal SIQ office (guichet/demo/appointments.py).
        ("agent@example.org", "Bureau SIQ de Montréal", StaffRole.AGENT),
        ("superviseur@example.org", "Bureau SIQ de Montréal", StaffRole.SUPERVISOR),
    }
    assert User.objects.get(email="client@example.org").full_name == "Camille Demo-Tremblay"
    # Synthetic clients exist only as owners of dossiers: nobody can sign in as them.
    synthetic = User.objects.filter(email__startswith="client-")
    assert synthetic.count() == 20
    assert not any(u.has_usable_password() for u in synthetic)
    assert (
        "Comptes de démonstration (mot de passe demo-guichet) : client@example.org, "
        "agent@example.org, superviseur@example.org"
    ) in demo.out


def test_every_application_service_has_a_unit_with_an_agent(demo: CommandRun) -> None:
    codes = set(Service.objects.filter(kind=ServiceKind.APPLICATION).values_list("code", flat=True))
    owners = dict(UnitService.objects.values_list("service_code", "unit_id"))
    assert codes <= owners.keys()
    staffed = set(Membership.objects.filter(role=StaffRole.AGENT).values_list("unit_id", flat=True))
    assert set(owners.values()) <= staffed


def test_the_demo_client_has_four_dossiers_with_real_letters(demo: CommandRun) -> None:
    mine = Dossier.objects.filter(client__email="client@example.org").order_by("pk")
    assert [(d.service.code, d.state, d.decision) for d in mine] == [
        ("caq-etudiant", DossierState.RECEIVED, ""),
        ("parrainage-familial", DossierState.INCOMPLETE, ""),
        ("caq-etudiant", DossierState.DECIDED, "accepted"),
        ("csq-travailleur-temporaire-diplome", DossierState.DECIDED, "refused"),
    ]
    letters = [list(d.letters.order_by("pk").values_list("kind", flat=True)) for d in mine]
    assert letters == [
        [LetterKind.ACKNOWLEDGMENT],
        [LetterKind.ACKNOWLEDGMENT, LetterKind.INCOMPLETENESS],
        [LetterKind.ACKNOWLEDGMENT, LetterKind.DECISION],
        [LetterKind.ACKNOWLEDGMENT, LetterKind.INTENTION, LetterKind.DECISION],
    ]
    for letter in Letter.objects.all():
        assert letter.file.read(5) == b"%PDF-"
    refused = mine.last()
    assert refused is not None and refused.service.review_service_code


def test_histories_are_complete_and_agree_with_each_dossier(demo: CommandRun) -> None:
    assert Dossier.objects.count() == 120 + 4
    events: dict[int, list[DossierEvent]] = {}
    for event in DossierEvent.objects.order_by("dossier_id", "seq"):
        events.setdefault(event.dossier_id, []).append(event)
    for dossier in Dossier.objects.all():
        history = events[dossier.pk]
        assert [e.seq for e in history] == list(range(1, len(history) + 1)), dossier
        first = history[0]
        assert (first.kind, first.occurred_on) == (EventKind.RECEIVED, dossier.received_on)
        days = [e.occurred_on for e in history]
        assert days == sorted(days), dossier
        assert dossier.number == f"{dossier.received_on.year}-{dossier.pk:06d}"
        kinds = [e.kind for e in history]
        state = next(STATE_OF_EVENT[EventKind(k)] for k in reversed(kinds) if k in STATE_OF_EVENT)
        assert dossier.state == state, dossier
        decided = [e for e in history if e.kind == EventKind.DECIDED]
        assert (dossier.state == DossierState.DECIDED) == bool(decided), dossier
        if decided:
            assert dossier.decided_on == decided[0].occurred_on
            assert dossier.decision == decided[0].details["decision"]
            if dossier.decision != "accepted":
                assert EventKind.INTENTION_TO_REFUSE in kinds  # never refused without notice
        else:
            assert (dossier.decision, dossier.decided_on) == ("", None)
        assigned = [e for e in history if e.kind == EventKind.ASSIGNED]
        assert dossier.assigned_to_id == (assigned[-1].details["agent"] if assigned else None)
        paid = [e.occurred_on for e in history if e.kind == EventKind.FEE_PAID]
        assert dossier.fee_paid_on == (paid[0] if paid else None), dossier
        if dossier.state == DossierState.DECIDED and dossier.service.fee_amount is not None:
            assert paid, dossier  # no decision while a fee is owed
        assert dossier.version == len(history), dossier  # one version per action


def test_clock_caches_equal_what_the_events_give(demo: CommandRun) -> None:
    cal = business_calendar()
    dossiers = list(Dossier.objects.select_related("service").order_by("pk"))
    sample = random.Random(0).sample(dossiers, 30) + dossiers[-4:]  # noqa: S311
    for dossier in sample:
        clocks = derive_clocks(cal, dossier, list(dossier.events.all()))
        cached = {
            c.commitment_id: (
                c.started_on,
                c.stopped_on,
                c.due_date,
                c.at_risk_on,
                c.overdue_on,
                c.outcome,
            )
            for c in dossier.clocks.all()
        }
        derived = {
            c.commitment.pk: (
                c.started_on,
                c.stopped_on,
                c.due_date,
                c.at_risk_on,
                c.overdue_on,
                c.outcome or "",
            )
            for c in clocks
        }
        assert cached == derived, dossier
        running = [c for c in clocks if c.running] if dossier.state in OPEN_STATES else []
        assert (dossier.due_date, dossier.at_risk_on, dossier.overdue_on) == (
            earliest([c.due_date for c in running]),
            earliest([c.at_risk_on for c in running]),
            earliest([c.overdue_on for c in running]),
        ), dossier


def test_the_histories_look_like_a_year_of_work(demo: CommandRun) -> None:
    states = dict(Dossier.objects.values_list("state").annotate(n=Count("id")))
    assert states[DossierState.DECIDED] > states.get(DossierState.WITHDRAWN, 0)
    assert states[DossierState.RECEIVED] > 0
    kinds = set(DossierEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.ACKNOWLEDGED,
        EventKind.ASSIGNED,
        EventKind.INCOMPLETENESS_NOTICE,
        EventKind.ITEMS_RECEIVED,
        EventKind.INTENTION_TO_REFUSE,
        EventKind.ADMISSIBILITY_NOTICE_SENT,
        EventKind.ADMISSIBILITY_CONFIRMED,
        EventKind.COURSE_STARTED,
        EventKind.FEE_PAID,
    } <= kinds
    outcomes = dict(DossierClock.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes["met"] > outcomes["missed"] > 0
    received = Dossier.objects.values_list("received_on", flat=True)
    assert min(received).isoformat() >= "2025-03-16"
    assert max(received).isoformat() == "2026-03-16"


def test_a_second_run_changes_nothing(demo: CommandRun, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    again = run_command(capsys, "demo")
    assert again == CommandRun(
        0, "guichet demo : données de démonstration déjà présentes, rien n'a changé\n", ""
    )
    assert snapshot() == before


def test_no_address_outside_example_org(demo: CommandRun) -> None:
    emails = set(User.objects.values_list("email", flat=True))
    emails |= set(
        Dossier.objects.exclude(applicant_email="").values_list("applicant_email", flat=True)
    )
    assert emails and all(e.endswith("@example.org") for e in emails)


def test_refused_on_a_production_installation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUICHET_REQUIRE_SECRET_KEY", "true")
    run = run_command(capsys, "demo")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "production" in run.err
    assert (Dossier.objects.count(), User.objects.count()) == (0, 0)


def test_the_demo_client_is_served_in_english_on_a_recorded_basis(demo: CommandRun) -> None:
    from django.utils import timezone
    from pypdf import PdfReader

    from guichet.accounts.language import language_basis

    client = User.objects.get(email="client@example.org")
    basis = language_basis(client, timezone.localdate())
    assert basis is not None
    assert (basis.language, basis.basis) == ("en", "recent_arrival")
    letter = Letter.objects.filter(dossier__client=client).order_by("pk").first()
    assert letter is not None
    content = "\n".join(page.extract_text() for page in PdfReader(letter.file.path).pages)
    assert "Nous avons bien reçu votre demande" in content
    assert "We received your request" in content
