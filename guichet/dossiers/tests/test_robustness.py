"""Bad uploads, failed actions and two agents at once: nothing half-done, nothing doubled."""

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.test import Client

from guichet.dossiers import services
from guichet.dossiers.models import Decision, Document, Dossier, EventKind
from guichet.dossiers.uploads import MAX_BYTES, UploadError, check_upload
from guichet.testing import (
    PASSWORD,
    Personas,
    jpeg_bytes,
    make_dossier,
    pdf_bytes,
    pdf_upload,
    png_bytes,
)

# Real files: a PDF, a JPEG and a PNG must also be read by their parser (test_uploads.py).
PNG = png_bytes()
JPEG = jpeg_bytes()


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("scan.pdf", pdf_bytes(), "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("sans-extension", PNG, "image/png"),
    ],
)
def test_accepted_by_content(name: str, body: bytes, kind: str) -> None:
    assert check_upload(SimpleUploadedFile(name, body)).content_type == kind


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "faux.pdf",
            b"<html><script>alert(1)</script></html>",
            "n'est pas un fichier PDF, JPEG ou PNG",
        ),
        ("programme.exe", b"MZ\x90\x00", "n'est pas un fichier PDF, JPEG ou PNG"),
        ("vide.pdf", b"", "est vide"),
        ("gros.pdf", b"%PDF-" + b"0" * MAX_BYTES, "la limite est de 10 Mo"),
    ],
)
def test_refused_with_a_clear_message(name: str, body: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        check_upload(SimpleUploadedFile(name, body))


@pytest.mark.django_db
def test_a_refused_upload_changes_nothing(personas: Personas) -> None:
    dossier = make_dossier(personas)
    services.dossier_request_items(dossier=dossier, items=["Passeport"], actor=personas.agent)
    dossier.refresh_from_db()
    before = (dossier.version, dossier.state, dossier.events.count(), Document.objects.count())
    client = Client()
    client.login(username=personas.owner.email, password=PASSWORD)
    response = client.post(
        f"/dossiers/{dossier.number}/elements/",
        {
            "answer-version": dossier.version,
            "answer-answer_1": [
                pdf_upload("ok.pdf"),
                SimpleUploadedFile("faux.pdf", b"GIF89a not a pdf"),
            ],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "« faux.pdf » n&#x27;est pas un fichier PDF, JPEG ou PNG" in html
    dossier.refresh_from_db()
    assert (
        dossier.version,
        dossier.state,
        dossier.events.count(),
        Document.objects.count(),
    ) == before


@pytest.mark.django_db
def test_script_in_a_text_field_is_shown_as_text(personas: Personas) -> None:
    dossier = make_dossier(personas)
    payload = "<script>alert('x')</script>"
    services.dossier_report_change(
        dossier=dossier, kind=EventKind.SITUATION_CHANGED, text=payload, actor=personas.owner
    )
    client = Client()
    client.login(username=personas.agent.email, password=PASSWORD)
    html = client.get(f"/bureau/dossiers/{dossier.number}/").content.decode()
    assert payload not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_two_agents_decide_at_once_one_wins(personas: Personas) -> None:
    dossier = make_dossier(personas)
    services.dossier_record_fee_payment(dossier=dossier, actor=personas.agent)
    dossier.refresh_from_db()
    seen = dossier.version
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def decide(actor: Any, decision: Decision) -> None:
        barrier.wait()
        try:
            services.dossier_decide(
                dossier=dossier,
                decision=decision,
                reasons="Motifs.",
                actor=actor,
                expected_version=seen,
            )
            outcomes.append("won")
        except services.DossierError as exc:
            outcomes.append(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(personas.agent, Decision.ACCEPTED)),
        threading.Thread(target=decide, args=(personas.supervisor, Decision.ACCEPTED)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("won") == 1
    loser = next(o for o in outcomes if o != "won")
    assert isinstance(loser, services.DossierError)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.events.filter(kind=EventKind.DECIDED).count() == 1
    assert fresh.letters.filter(kind="decision").count() == 1
    assert fresh.version == seen + 1
