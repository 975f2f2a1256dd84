"""The dossier lifecycle through the service functions, with exact dates and real PDF files."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, connection, transaction
from pypdf import PdfReader

from guichet.dossiers import services
from guichet.dossiers.models import (
    Channel,
    Decision,
    Dossier,
    DossierClock,
    DossierEvent,
    DossierState,
    EventKind,
    LetterKind,
)
from guichet.testing import Personas, checked, make_dossier, pdf_upload, run_tasks

pytestmark = pytest.mark.django_db


def paid(dossier: Dossier, people: Personas) -> Dossier:
    return services.dossier_record_fee_payment(dossier=dossier, actor=people.agent)


def test_worked_example_from_filing_to_decision(personas: Personas) -> None:
    """DOMAIN.md: received Fri 2026-12-18, 20 days → due Mon 2027-01-25; suspended from
    2027-01-05 to 2027-01-12 (five business days) → due Mon 2027-02-01."""
    with time_machine.travel("2026-12-18 10:00 -05:00"):
        dossier = make_dossier(personas)
        assert dossier.number == f"2026-{dossier.pk:06d}"
        assert (dossier.received_on, dossier.due_date) == (date(2026, 12, 18), date(2027, 1, 25))
        # At risk from the 16th counted day (4 of 20 left), overdue from the 21st.
        assert (dossier.at_risk_on, dossier.overdue_on) == (date(2027, 1, 19), date(2027, 1, 26))
        services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    with time_machine.travel("2027-01-05 09:00 -05:00"):
        services.dossier_request_items(
            dossier=dossier, items=["Lettre d'admission signée"], actor=personas.agent
        )
        suspended = Dossier.objects.get(pk=dossier.pk)
        assert suspended.state == DossierState.INCOMPLETE
        assert suspended.due_date is None  # no due date while the suspension is open
        notice = dossier.events.get(kind=EventKind.INCOMPLETENESS_NOTICE)
        assert notice.details["items"] == ["Lettre d'admission signée", services.FEE_ITEM]
        assert notice.summary() == "Lettre d'admission signée ; Paiement des frais exigés"
    with time_machine.travel("2027-01-12 14:00 -05:00"):
        services.dossier_receive_items(
            dossier=dossier,
            actor=personas.owner,
            documents=[checked(pdf_upload("lettre.pdf"), answers="item:1")],
        )
        dossier.refresh_from_db()
        # The fee asked for is still missing: the clock stays suspended.
        assert (dossier.state, dossier.due_date) == (DossierState.INCOMPLETE, None)
        paid(dossier, personas)
        dossier.refresh_from_db()
        assert (dossier.state, dossier.due_date) == (DossierState.RECEIVED, date(2027, 2, 1))
        letter = services.dossier_decide(
            dossier=dossier,
            decision=Decision.ACCEPTED,
            reasons="Toutes les conditions sont remplies.",
            actor=personas.agent,
        )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decision, dossier.decided_on) == (
        DossierState.DECIDED,
        Decision.ACCEPTED,
        date(2027, 1, 12),
    )
    assert dossier.due_date is None  # no running clock left
    clock = DossierClock.objects.get(dossier=dossier)
    assert (clock.due_date, clock.stopped_on, clock.outcome) == (
        date(2027, 2, 1),
        date(2027, 1, 12),
        "met",
    )
    assert list(dossier.events.values_list("seq", "kind")) == [
        (1, "received"),
        (2, "acknowledged"),
        (3, "incompleteness_notice"),
        (4, "item_received"),  # the letter: the fee is still missing, the clock stays stopped
        (5, "fee_paid"),
        (6, "items_received"),  # the fee was the last item asked: the clock resumes
        (7, "decided"),
    ]
    assert [lt.kind for lt in dossier.letters.all()] == [
        LetterKind.ACKNOWLEDGMENT,
        LetterKind.INCOMPLETENESS,
        LetterKind.DECISION,
    ]
    assert_accessible_pdf(
        letter.file.path, f"Décision concernant votre demande — dossier {dossier.number}"
    )


def assert_accessible_pdf(path: str, title: str) -> None:
    """A real PDF, tagged, with its title shown and its language set, as screen readers need."""
    reader = PdfReader(path)
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title == title


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_letters_are_announced_by_an_email_without_personal_details(
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dossier = make_dossier(personas)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["proprietaire@example.org"]
    assert message.subject == "Une lettre vous attend dans Guichet"
    for secret in ("Dominique", "Exemple", dossier.number, "Montréal", "admission"):
        assert secret not in message.body
    assert dossier.letters.get().notified_at is not None
    run_tasks()
    assert len(mail.outbox) == 1  # nothing sent twice


def test_a_mail_request_keeps_its_real_date_of_reception(personas: Personas) -> None:
    with time_machine.travel("2027-01-14 10:00 -05:00"):
        dossier = make_dossier(
            personas,
            client=None,
            actor=personas.agent,
            channel=Channel.MAIL,
            received_on=date(2027, 1, 8),
        )
    assert (dossier.channel, dossier.received_on, dossier.due_date) == (
        "mail",
        date(2027, 1, 8),
        date(2027, 2, 5),
    )
    assert dossier.events.get(seq=1).occurred_on == date(2027, 1, 8)
    with pytest.raises(services.DossierError, match="dans le futur"):
        make_dossier(personas, received_on=date(2099, 1, 1))


def test_unfavourable_decision_needs_a_notice_of_intention(personas: Personas) -> None:
    dossier = make_dossier(personas)
    paid(dossier, personas)
    with pytest.raises(services.DossierError, match="précédée d'un avis d'intention"):
        services.dossier_decide(
            dossier=dossier, decision=Decision.REFUSED, reasons="x", actor=personas.agent
        )
    services.dossier_notify_intention(
        dossier=dossier,
        intended=Decision.REFUSED,
        reasons="Preuve de capacité financière insuffisante.",
        actor=personas.agent,
    )
    services.dossier_add_observations(
        dossier=dossier, text="Voici un relevé bancaire.", actor=personas.owner
    )
    services.dossier_decide(
        dossier=dossier,
        decision=Decision.REFUSED,
        reasons="Capacité financière non démontrée.",
        actor=personas.agent,
    )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decision) == (DossierState.DECIDED, Decision.REFUSED)


def test_an_unpaid_fee_blocks_the_decision(personas: Personas) -> None:
    dossier = make_dossier(personas)
    with pytest.raises(services.DossierError, match="frais exigés n'ont pas été acquittés"):
        services.dossier_decide(
            dossier=dossier, decision=Decision.ACCEPTED, reasons="ok", actor=personas.agent
        )
    assert not dossier.events.filter(kind=EventKind.DECIDED).exists()


def test_one_decision_at_most(personas: Personas) -> None:
    dossier = make_dossier(personas)
    paid(dossier, personas)
    services.dossier_decide(
        dossier=dossier, decision=Decision.ACCEPTED, reasons="ok", actor=personas.agent
    )
    with pytest.raises(services.DossierError, match="n'est plus en traitement"):
        services.dossier_decide(
            dossier=dossier, decision=Decision.ACCEPTED, reasons="encore", actor=personas.supervisor
        )
    assert dossier.events.filter(kind=EventKind.DECIDED).count() == 1


def test_a_stale_version_is_refused_and_changes_nothing(personas: Personas) -> None:
    dossier = make_dossier(personas)
    seen = dossier.version
    services.dossier_assign(
        dossier=dossier, agent=personas.agent, actor=personas.supervisor, expected_version=seen
    )
    events = dossier.events.count()
    with pytest.raises(services.StaleDossier, match="Quelqu'un d'autre vient de modifier"):
        services.dossier_request_items(
            dossier=dossier, items=["x"], actor=personas.agent, expected_version=seen
        )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED
    assert dossier.events.count() == events


def test_review_within_the_period_opens_a_linked_dossier(personas: Personas) -> None:
    with time_machine.travel("2027-02-01 10:00 -05:00"):
        dossier = make_dossier(personas, service_code="csq-travailleur-permanent")
        paid_by = personas.other_agent
        services.dossier_record_fee_payment(dossier=dossier, actor=paid_by)
        services.dossier_notify_intention(
            dossier=dossier,
            intended=Decision.REJECTED,
            reasons="Pièces essentielles absentes.",
            actor=paid_by,
        )
        services.dossier_decide(
            dossier=dossier,
            decision=Decision.REJECTED,
            reasons="Pièces essentielles absentes.",
            actor=paid_by,
        )
        dossier.refresh_from_db()
        assert services.review_deadline(dossier) == date(2027, 4, 2)
    with time_machine.travel("2027-04-03 10:00 -04:00"):
        with pytest.raises(services.DossierError, match="a pris fin le 2 avril 2027"):
            services.dossier_request_review(
                dossier=dossier, reasons="Je conteste.", actor=personas.owner
            )
    with time_machine.travel("2027-04-02 10:00 -04:00"):
        review = services.dossier_request_review(
            dossier=dossier, reasons="Je conteste.", actor=personas.owner
        )
    assert review.parent == dossier
    assert review.service.code == "csq-revision-administrative"
    assert review.client == personas.owner
    assert review.events.filter(kind=EventKind.REVIEW_REQUESTED).count() == 1
    with pytest.raises(services.DossierError, match="déjà été demandée"):
        services.dossier_request_review(dossier=dossier, reasons="Encore.", actor=personas.owner)


def test_french_courses_two_clocks(personas: Personas) -> None:
    """Notice of admissibility within 20 days of reception; course start within 65 days of
    the confirmation of admissibility."""
    with time_machine.travel("2027-01-08 10:00 -05:00"):
        dossier = make_dossier(personas, service_code="francais-temps-complet")
    with time_machine.travel("2027-01-20 10:00 -05:00"):
        services.dossier_record_service_event(
            dossier=dossier, kind=EventKind.ADMISSIBILITY_NOTICE_SENT, actor=personas.agent
        )
        services.dossier_record_service_event(
            dossier=dossier,
            kind=EventKind.ADMISSIBILITY_CONFIRMED,
            actor=personas.agent,
            on=date(2027, 1, 19),
        )
    clocks = {
        c.commitment.target: c
        for c in DossierClock.objects.filter(dossier=dossier).select_related("commitment")
    }
    assert (clocks[20].stopped_on, clocks[20].outcome) == (date(2027, 1, 20), "met")
    # 65 business days from Tue 2027-01-19: Jan 20-29 (8), Feb (28), Mar 1-25 (47), Good
    # Friday 03-26 and Easter Monday 03-29 closed, Mar 30 - Apr 16 (61), Apr 19-22 (65).
    assert (clocks[65].started_on, clocks[65].due_date) == (date(2027, 1, 19), date(2027, 4, 22))
    dossier.refresh_from_db()
    assert dossier.due_date == date(2027, 4, 22)


def test_history_is_append_only_in_the_database(personas: Personas) -> None:
    dossier = make_dossier(personas)
    event = dossier.events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(pk=event.pk).update(kind="decided")
    if connection.vendor == "postgresql":  # the embedded SQLite refuses updates only
        with pytest.raises(DatabaseError), transaction.atomic():
            DossierEvent.objects.filter(pk=event.pk).delete()
    assert DossierEvent.objects.get(pk=event.pk).kind == "received"


def test_rederive_reports_and_fixes_a_stale_cache(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    from guichet.testing import run_command

    dossier = make_dossier(personas)
    good = dossier.due_date
    type(dossier).objects.filter(pk=dossier.pk).update(due_date=date(2030, 1, 1))
    report = run_command(capsys, "rederive-clocks")
    assert f"{dossier.number} : due_date 2030-01-01 au lieu de {good}" in report.out
    assert "1 dossier(s) vérifié(s), 1 différent(s)" in report.out
    run_command(capsys, "rederive-clocks", "--fix")
    dossier.refresh_from_db()
    assert dossier.due_date == good
    assert "0 différent(s)" in run_command(capsys, "rederive-clocks").out
