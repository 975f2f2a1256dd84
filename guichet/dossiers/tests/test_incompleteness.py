"""Issue 12: what an incompleteness notice asks for, and when the clock resumes.

A notice asks for items picked among the checklist's documents not received and the unpaid
fee (or written out); an empty one is refused and changes nothing. Each item is answered its
own way (a document for its item, the fee by its payment); while anything asked is missing the
answer is recorded as `item_received` and the clock stays suspended; the last item writes
`items_received`, which resumes it (the engine is unchanged: it reads only that event)."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from guichet.calendars.services import business_calendar
from guichet.dossiers import services
from guichet.dossiers.clocks import derive_clocks
from guichet.dossiers.models import Dossier, DossierEvent, DossierState, EventKind, Letter
from guichet.dossiers.services import FEE_CODE, DossierError, MissingItem
from guichet.testing import PASSWORD, Personas, checked, make_dossier, pdf_upload

pytestmark = pytest.mark.django_db

PASSPORT = "Copie des pages du passeport montrant l'identité"
FINANCES = "Preuve de capacité financière pour les frais de scolarité et de séjour"


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.version,
        dossier.state,
        dossier.due_date,
        dossier.events.count(),
        Letter.objects.filter(dossier=dossier).count(),
    )


def suspended_on_jan_5(personas: Personas, **asked: object) -> Dossier:
    with time_machine.travel("2026-12-18 10:00 -05:00"):
        dossier: Dossier = make_dossier(
            personas, documents=[checked(pdf_upload("adm.pdf"), checklist_code="lettre-admission")]
        )
    with time_machine.travel("2027-01-05 09:00 -05:00"):
        services.dossier_request_items(dossier=dossier, actor=personas.agent, **asked)  # type: ignore[arg-type]
    dossier.refresh_from_db()
    return dossier


def test_the_candidates_are_the_documents_not_received_then_the_unpaid_fee(
    personas: Personas,
) -> None:
    dossier = make_dossier(
        personas, documents=[checked(pdf_upload("adm.pdf"), checklist_code="lettre-admission")]
    )
    assert services.incompleteness_candidates(dossier) == [
        MissingItem("doc:passeport", PASSPORT),
        MissingItem("doc:capacite-financiere", FINANCES),
        MissingItem(
            "doc:consentement-tuteur",
            "Déclaration de prise en charge et consentement des parents, pour une personne mineure",
        ),
        MissingItem(FEE_CODE, services.FEE_ITEM),
    ]
    services.dossier_record_fee_payment(dossier=dossier, actor=personas.agent)
    dossier.refresh_from_db()
    assert FEE_CODE not in [c.code for c in services.incompleteness_candidates(dossier)]


def test_an_empty_notice_is_refused_and_changes_nothing(personas: Personas) -> None:
    dossier = make_dossier(personas)
    before = snapshot(dossier)
    empties: list[dict[str, Any]] = [{}, {"items": ["", "   "]}, {"codes": []}]
    for empty in empties:
        with pytest.raises(DossierError, match="un avis vide n'est pas envoyé"):
            services.dossier_request_items(dossier=dossier, actor=personas.agent, **empty)
        with pytest.raises(DossierError, match="un avis vide n'est pas envoyé"):
            services.incompleteness_preview(dossier=dossier, actor=personas.agent, **empty)
    assert snapshot(dossier) == before


def test_an_item_already_received_cannot_be_asked_for(personas: Personas) -> None:
    dossier = make_dossier(
        personas, documents=[checked(pdf_upload("adm.pdf"), checklist_code="lettre-admission")]
    )
    before = snapshot(dossier)
    with pytest.raises(DossierError, match="déjà été reçu ou n'existe pas"):
        services.dossier_request_items(
            dossier=dossier, actor=personas.agent, codes=["doc:lettre-admission"]
        )
    assert snapshot(dossier) == before


def test_the_preview_is_the_letter_and_sends_nothing(personas: Personas) -> None:
    dossier = make_dossier(personas)
    before = snapshot(dossier)
    asked, letter = services.incompleteness_preview(
        dossier=dossier, actor=personas.agent, codes=["doc:passeport"], items=["Relevé de notes"]
    )
    assert [a.code for a in asked] == ["doc:passeport", "item:1", FEE_CODE]
    assert f"<li>{PASSPORT.replace(chr(39), '&#x27;')}</li>" in letter
    assert "Frais à payer : <strong>128,00 $</strong>" in letter
    assert "Le traitement de votre demande est suspendu" in letter
    assert snapshot(dossier) == before


def test_the_notice_records_each_item_with_its_code(personas: Personas) -> None:
    dossier = suspended_on_jan_5(
        personas, codes=["doc:passeport"], items=["Relevé de notes", PASSPORT]
    )
    notice = dossier.events.get(kind=EventKind.INCOMPLETENESS_NOTICE)
    # A written line that names a checklist item is that item; the unpaid fee is always asked.
    assert notice.details["asked"] == [
        {"code": "doc:passeport", "label": PASSPORT},
        {"code": "item:1", "label": "Relevé de notes"},
        {"code": FEE_CODE, "label": services.FEE_ITEM},
    ]
    assert notice.details["items"] == [PASSPORT, "Relevé de notes", services.FEE_ITEM]
    assert [i.code for i in services.outstanding_items(dossier)] == [
        "doc:passeport",
        "item:1",
        FEE_CODE,
    ]


def test_a_partial_answer_does_not_resume_the_clock(personas: Personas) -> None:
    dossier = suspended_on_jan_5(personas, codes=["doc:passeport"])
    with time_machine.travel("2027-01-08 10:00 -05:00"):
        services.dossier_receive_items(
            dossier=dossier,
            actor=personas.owner,
            documents=[
                checked(
                    pdf_upload("scan-0042.pdf"),
                    checklist_code="passeport",
                    label=PASSPORT,
                    answers="doc:passeport",
                )
            ],
        )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.due_date) == (DossierState.INCOMPLETE, None)
    last = dossier.events.order_by("-seq").first()
    assert last is not None
    assert (last.kind, last.details["answers"]) == (EventKind.ITEM_RECEIVED, ["doc:passeport"])
    assert [i.code for i in services.outstanding_items(dossier)] == [FEE_CODE]
    # The upload is named after the item it answers, not after the file.
    document = dossier.documents.get(original_name="scan-0042.pdf")
    assert (document.label, document.checklist_code) == (PASSPORT, "passeport")
    # Asking again for what already came is refused, and changes nothing.
    before = snapshot(dossier)
    with (
        time_machine.travel("2027-01-08 11:00 -05:00"),
        pytest.raises(DossierError, match="n'est pas attendu"),
    ):
        services.dossier_receive_items(
            dossier=dossier, actor=personas.agent, received=["doc:passeport"]
        )
    # The fee is answered by its payment, not by a document.
    with (
        time_machine.travel("2027-01-08 11:00 -05:00"),
        pytest.raises(DossierError, match="n'est pas attendu"),
    ):
        services.dossier_receive_items(dossier=dossier, actor=personas.agent, received=[FEE_CODE])
    assert snapshot(dossier) == before


def test_the_clock_resumes_when_the_last_item_asked_is_in(personas: Personas) -> None:
    """The worked example: suspended 2027-01-05, everything in on 2027-01-12 → due
    2027-02-01; the document of 2027-01-08 alone changed nothing."""
    dossier = suspended_on_jan_5(personas, codes=["doc:passeport"])
    with time_machine.travel("2027-01-08 10:00 -05:00"):
        services.dossier_receive_items(
            dossier=dossier, actor=personas.agent, received=["doc:passeport"], note="Par la poste"
        )
    with time_machine.travel("2027-01-12 10:00 -05:00"):
        services.dossier_record_fee_payment(dossier=dossier, actor=personas.agent)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.due_date) == (DossierState.RECEIVED, date(2027, 2, 1))
    kinds = list(dossier.events.order_by("seq").values_list("kind", "occurred_on"))
    assert kinds[-4:] == [
        (EventKind.INCOMPLETENESS_NOTICE, date(2027, 1, 5)),
        (EventKind.ITEM_RECEIVED, date(2027, 1, 8)),
        (EventKind.FEE_PAID, date(2027, 1, 12)),
        (EventKind.ITEMS_RECEIVED, date(2027, 1, 12)),
    ]
    assert services.outstanding_items(dossier) == []
    # The engine reads the events: one suspension, from the notice to the last item.
    (clock,) = derive_clocks(business_calendar(), dossier, list(dossier.events.all()))
    assert [(s.start, s.end) for s in clock.suspensions] == [(date(2027, 1, 5), date(2027, 1, 12))]


def test_documents_answering_every_item_resume_at_once(personas: Personas) -> None:
    with time_machine.travel("2026-12-18 10:00 -05:00"):
        dossier = make_dossier(personas)
        services.dossier_record_fee_payment(dossier=dossier, actor=personas.agent)
    with time_machine.travel("2027-01-05 09:00 -05:00"):
        services.dossier_request_items(
            dossier=dossier, actor=personas.agent, codes=["doc:passeport"], items=["Relevé"]
        )
    with time_machine.travel("2027-01-12 10:00 -05:00"):
        services.dossier_receive_items(
            dossier=dossier,
            actor=personas.owner,
            documents=[
                checked(pdf_upload("a.pdf"), answers="doc:passeport"),
                checked(pdf_upload("b.pdf"), answers="item:1", label="Relevé"),
            ],
        )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.due_date) == (DossierState.RECEIVED, date(2027, 2, 1))
    assert not dossier.events.filter(kind=EventKind.ITEM_RECEIVED).exists()


def test_a_receipt_dated_before_the_notice_is_refused(personas: Personas) -> None:
    dossier = suspended_on_jan_5(personas, codes=["doc:passeport"])
    before = snapshot(dossier)
    with (
        time_machine.travel("2027-01-08 10:00 -05:00"),
        pytest.raises(DossierError, match="précède l'avis"),
    ):
        services.dossier_receive_items(
            dossier=dossier,
            actor=personas.agent,
            received=["doc:passeport"],
            on=date(2027, 1, 4),
        )
    assert snapshot(dossier) == before


def test_a_notice_written_before_the_codes_still_reads(personas: Personas) -> None:
    """Notices recorded with labels only (before issue 12): the fee by its label, the rest
    as written items."""
    with time_machine.travel("2027-01-05 09:00 -05:00"):
        dossier = make_dossier(personas)
        notice = DossierEvent(
            kind=EventKind.INCOMPLETENESS_NOTICE,
            details={"items": ["Relevé de notes", services.FEE_ITEM]},
        )
    assert services.asked_items(notice) == [
        MissingItem("item:1", "Relevé de notes"),
        MissingItem(FEE_CODE, services.FEE_ITEM),
    ]
    assert dossier.state == DossierState.RECEIVED
    assert services.outstanding_items(dossier) == []


def test_the_office_form_previews_then_sends(personas: Personas) -> None:
    dossier = make_dossier(personas)
    agent = Client()
    agent.force_login(personas.agent)
    url = f"/bureau/dossiers/{dossier.number}/incomplet/"
    before = snapshot(dossier)
    empty = agent.post(url, {"items-version": dossier.version})
    assert empty.status_code == 400
    assert "un avis vide n&#x27;est pas envoyé" in empty.content.decode()
    assert empty.content.decode().count("<title>Erreur : ") == 1
    preview = agent.post(url, {"items-version": dossier.version, "items-codes": "doc:passeport"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "La lettre qui partira (version française)" in html
    assert '<input type="hidden" name="items-codes" value="doc:passeport">' in html
    assert snapshot(dossier) == before
    sent = agent.post(
        url,
        {"items-version": dossier.version, "items-codes": "doc:passeport", "items-envoyer": "1"},
    )
    assert sent.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.INCOMPLETE


def test_the_portal_answers_each_item_and_says_what_still_blocks(personas: Personas) -> None:
    dossier = suspended_on_jan_5(personas, codes=["doc:passeport"])
    with time_machine.travel("2027-01-08 10:00 -05:00"):
        owner = Client()
        owner.login(username=personas.owner.email, password=PASSWORD)
        page = owner.get(f"/dossiers/{dossier.number}/").content.decode()
        assert "Payer les frais" in page
        assert "Montant : <strong>128,00 $</strong>" in page
        assert 'name="answer-answer_1"' in page  # the passport's own field
        nothing = owner.post(
            f"/dossiers/{dossier.number}/elements/", {"answer-version": dossier.version}
        )
        assert nothing.status_code == 400
        sent = owner.post(
            f"/dossiers/{dossier.number}/elements/",
            {"answer-version": dossier.version, "answer-answer_1": pdf_upload("scan.pdf")},
            follow=True,
        )
    html = sent.content.decode()
    assert "Le délai reste suspendu : il manque encore Paiement des frais exigés." in html
    dossier.refresh_from_db()
    assert dossier.state == DossierState.INCOMPLETE
