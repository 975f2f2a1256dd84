"""Requests for access or rectification: the clock with its one extension, the answers, the
letters, the history and the access log, with time frozen."""

import io
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from guichet.accounts.models import User
from guichet.append_only import AppendOnlyError
from guichet.audit.models import AccessAction, AccessLog, SubjectKind
from guichet.dossiers.models import Dossier, DossierEvent, EventKind
from guichet.privacy import services
from guichet.privacy.models import InfoRequest, InfoRequestEvent, InfoRequestFile, InfoRequestKind
from guichet.privacy.services import PrivacyError
from guichet.testing import Personas, run_tasks

pytestmark = pytest.mark.django_db

RECEIVED = "2026-12-18 10:00 -05:00"  # day 0; the 20th day is 2027-01-07


def pdf_text(stored: InfoRequestFile) -> tuple[str, str]:
    with stored.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return str(reader.metadata.title if reader.metadata else ""), " ".join(text.split())


def submit(person: User, kind: InfoRequestKind = InfoRequestKind.ACCESS, **kw: Any) -> InfoRequest:
    with time_machine.travel(RECEIVED, tick=False):
        return services.info_request_submit(person=person, kind=kind, **kw)


def state(request: InfoRequest) -> tuple[Any, ...]:
    return (
        list(request.events.values_list("seq", "kind")),
        request.files.count(),
        AccessLog.objects.count(),
    )


def test_a_request_is_received_today_and_due_in_20_calendar_days(personas: Personas) -> None:
    request = submit(personas.owner, details="Tout ce que vous avez.")
    assert request.received_on == date(2026, 12, 18)
    assert request.reference == f"DRP-2026-{request.pk:05d}"
    assert list(request.events.values_list("seq", "kind", "occurred_on")) == [
        (1, "received", date(2026, 12, 18))
    ]
    clock = services.info_request_clock(request)
    assert (clock.due_on, clock.extended_on, clock.answered_on) == (date(2027, 1, 7), None, None)
    entry = AccessLog.objects.get(subject_kind=SubjectKind.INFO_REQUEST)
    assert (entry.action, entry.person_id, entry.actor_id, entry.subject_id) == (
        AccessAction.CHANGE,
        personas.owner.pk,
        personas.owner.pk,
        request.pk,
    )
    assert entry.why == "demande d'accès aux renseignements personnels : Demande reçue"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"details": "", "correction": "Dupont"}, "Indiquez quel renseignement est inexact."),
        ({"details": "Mon nom", "correction": " "}, "Indiquez ce que le renseignement devrait"),
        (
            {"details": "Mon nom", "correction": "X", "dossier_number": "2026-999999"},
            "Ce dossier ne fait pas partie de vos dossiers.",
        ),
    ],
)
def test_an_incomplete_rectification_request_is_refused_and_nothing_is_kept(
    personas: Personas, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(PrivacyError, match=message):
        submit(personas.owner, InfoRequestKind.RECTIFICATION, **fields)
    assert InfoRequest.objects.count() == 0
    assert AccessLog.objects.filter(subject_kind=SubjectKind.INFO_REQUEST).count() == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_extension_on_day_19_sends_a_notice_and_moves_the_due_date(
    personas: Personas, officer: User
) -> None:
    request = submit(personas.owner)
    with time_machine.travel("2027-01-06 15:00 -05:00", tick=False):  # day 19
        notice = services.info_request_extend(
            request=request, reason="Vos dossiers sont nombreux.", actor=officer
        )
    clock = services.info_request_clock(request)
    assert (clock.extended_on, clock.due_on) == (date(2027, 1, 6), date(2027, 1, 17))
    event = request.events.get(kind="extended")
    assert event.details == {"reason": "Vos dossiers sont nombreux.", "until": "2027-01-17"}
    assert notice.kind == "extension_notice" and notice.event_seq == event.seq
    title, text = pdf_text(notice)
    assert title == f"Prolongation du délai de réponse à votre demande — {request.reference}"
    assert "Vos dossiers sont nombreux." in text
    assert "au plus tard le 17 janvier 2027" in text
    assert "jusqu'au 7 janvier 2027" in text
    # The e-mail: sent by the background worker, once, with nothing personal in it.
    assert mail.outbox == []
    run_tasks()
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.owner.email]
    assert message.subject == "Une lettre vous attend dans Guichet"
    assert f"/confidentialite/mes-renseignements/{request.pk}/" in message.body
    assert request.reference not in message.body and "Dominique" not in message.body
    notice.refresh_from_db()
    assert notice.notified_at is not None


def test_extension_on_day_20_is_still_allowed(personas: Personas, officer: User) -> None:
    request = submit(personas.owner)
    with time_machine.travel("2027-01-07 23:30 -05:00", tick=False):  # the 20th day, late
        services.info_request_extend(request=request, reason="Volume.", actor=officer)
    assert services.info_request_clock(request).due_on == date(2027, 1, 17)


def test_extension_on_day_21_is_refused_and_nothing_changes(
    personas: Personas, officer: User
) -> None:
    request = submit(personas.owner)
    before = state(request)
    with (
        time_machine.travel("2027-01-08 08:00 -05:00", tick=False),
        pytest.raises(PrivacyError, match="Le délai de 20 jours a pris fin le 2027-01-07"),
    ):
        services.info_request_extend(request=request, reason="Trop tard.", actor=officer)
    assert state(request) == before


def test_a_second_extension_is_refused(personas: Personas, officer: User) -> None:
    request = submit(personas.owner)
    with time_machine.travel("2026-12-20 10:00 -05:00", tick=False):
        services.info_request_extend(request=request, reason="Volume.", actor=officer)
        before = state(request)
        with pytest.raises(PrivacyError, match="une seule prolongation de 10 jours"):
            services.info_request_extend(request=request, reason="Encore.", actor=officer)
    assert state(request) == before


def test_an_extension_needs_a_reason(personas: Personas, officer: User) -> None:
    request = submit(personas.owner)
    before = state(request)
    with (
        time_machine.travel("2026-12-20 10:00 -05:00", tick=False),
        pytest.raises(PrivacyError, match="Le motif de la prolongation est obligatoire"),
    ):
        services.info_request_extend(request=request, reason="  ", actor=officer)
    assert state(request) == before


def test_answering_access_delivers_the_export_and_the_letter(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    request = submit(personas.owner)
    with time_machine.travel("2027-01-05 10:00 -05:00", tick=False):
        files = services.info_request_answer_access(
            request=request, actor=officer, message="Bonne lecture."
        )
    assert [f.kind for f in files] == ["answer", "export_pdf", "export_json"]
    clock = services.info_request_clock(request)
    assert clock.answered_on == date(2027, 1, 5)
    assert clock.status(date(2027, 1, 9)) == "answered"
    title, text = pdf_text(files[0])
    assert title.startswith("Réponse à votre demande d'accès")
    assert "Bonne lecture." in text
    export_title, export_text = pdf_text(files[1])
    assert export_title == "Vos renseignements personnels détenus par le Ministère"
    assert dossier.number in export_text and "XK123456" in export_text
    with files[2].file.open("rb") as fh:
        assert b'"format": "guichet.renseignements-personnels"' in fh.read()
    export = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (export.person_id, export.actor_id, export.subject_id) == (
        personas.owner.pk,
        officer.pk,
        request.pk,
    )
    # Answered: nothing more can happen to it.
    with pytest.raises(PrivacyError, match="déjà reçu sa réponse"):
        services.info_request_answer_access(request=request, actor=officer)
    with pytest.raises(PrivacyError, match="déjà reçu sa réponse"):
        services.info_request_extend(request=request, reason="x", actor=officer)


def test_accepted_rectification_corrects_the_dossier_and_records_it_there(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    request = submit(
        personas.owner,
        InfoRequestKind.RECTIFICATION,
        details="Mon passeport est mal inscrit.",
        correction="XK654321",
        dossier_number=dossier.number,
    )
    with time_machine.travel("2027-01-02 10:00 -05:00", tick=False):
        letter = services.info_request_rectify(
            request=request,
            actor=officer,
            dossier=dossier,
            field_name="passport_number",
            value="XK654321",
        )
    dossier.refresh_from_db()
    assert dossier.passport_number == "XK654321"
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event is not None
    assert event.kind == EventKind.RECTIFIED
    assert event.actor_id == officer.pk
    assert event.details == {
        "text": f"Rectification ({request.reference}) : numéro de passeport",
        "rectification": request.reference,
        "field": "passport_number",
    }
    assert "XK123456" not in str(event.details)  # the inexact value is not kept
    assert services.info_request_clock(request).answered_on == date(2027, 1, 2)
    title, text = pdf_text(letter)
    assert "renseignements corrigés" in title
    assert "numéro de passeport" in text


def test_rectification_of_another_persons_dossier_is_refused(
    personas: Personas, officer: User, dossier: Dossier
) -> None:
    request = submit(
        personas.other_client, InfoRequestKind.RECTIFICATION, details="Nom", correction="Y"
    )
    before = state(request)
    with pytest.raises(PrivacyError, match="n'appartient pas à la personne"):
        services.info_request_rectify(
            request=request,
            actor=officer,
            dossier=dossier,
            field_name="applicant_name",
            value="Y",
        )
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Dominique Exemple"
    assert state(request) == before


def test_refused_rectification_gives_reasons_and_the_recourse(
    personas: Personas, officer: User
) -> None:
    request = submit(
        personas.owner, InfoRequestKind.RECTIFICATION, details="Ma date", correction="1991"
    )
    with time_machine.travel("2026-12-28 10:00 -05:00", tick=False):
        letter = services.info_request_refuse_rectification(
            request=request, actor=officer, reasons="La date inscrite est celle du passeport."
        )
    event = request.events.get(kind="refused")
    assert event.details == {
        "reasons": "La date inscrite est celle du passeport.",
        "recourse_until": "2027-01-27",
    }
    _title, text = pdf_text(letter)
    assert "La date inscrite est celle du passeport." in text
    assert "Commission d'accès à l'information" in text
    assert "dans les 30 jours" in text and "27 janvier 2027" in text


def test_the_history_of_a_request_is_append_only(personas: Personas) -> None:
    request = submit(personas.owner)
    event = request.events.get()
    event.details = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    from django.db import DatabaseError, transaction

    # Refused by the database itself (a trigger on PostgreSQL and on SQLite).
    with pytest.raises(DatabaseError), transaction.atomic():
        InfoRequestEvent.objects.filter(pk=event.pk).update(kind="answered")
    assert InfoRequestEvent.objects.get(pk=event.pk).kind == "received"
