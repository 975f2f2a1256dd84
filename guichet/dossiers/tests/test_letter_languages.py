"""Letters and their e-mail follow the language of service: complete in French, then, on a
basis valid on the letter's date, the same letter in the client's other language, in the same
tagged PDF, each part carrying its language."""

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from guichet.accounts.models import LanguageBasis
from guichet.accounts.services import language_of_service_declare
from guichet.dossiers import services
from guichet.dossiers.letters import long_date
from guichet.dossiers.models import Decision
from guichet.testing import Personas, make_dossier, run_tasks

pytestmark = pytest.mark.django_db


def declare(personas: Personas, language: str) -> None:
    owner = personas.owner
    language_of_service_declare(
        user=owner,
        actor=owner,
        language=language,
        basis=LanguageBasis.RECENT_ARRIVAL,
        arrived_on=date(2027, 1, 15),
    )


def structure(path: str) -> list[tuple[str, str | None]]:
    """The parts of a tagged PDF (/Art elements, with their /Lang), in order, the notices in
    the other language (/Sect) and the quoted French passages (/BlockQuote)."""
    root: Any = PdfReader(path).trailer["/Root"]
    found: list[tuple[str, str | None]] = []

    def visit(node: Any) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S") in ("/Art", "/Sect", "/BlockQuote"):
            lang = node.get("/Lang")
            found.append((str(node["/S"]), str(lang) if lang is not None else None))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            visit(kid)

    visit(root["/StructTreeRoot"])
    return found


def flat(text: str) -> str:
    """Text extracted from a PDF, its line breaks undone."""
    return " ".join(text.split())


def parts(path: str) -> list[str | None]:
    """The language of each part, in order (a part has an /Art element per page it spans)."""
    languages: list[str | None] = []
    for kind, lang in structure(path):
        if kind == "/Art" and (not languages or languages[-1] != lang):
            languages.append(lang)
    return languages


def text(path: str) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(path).pages))


def test_dates_are_written_as_each_language_writes_them() -> None:
    day = date(2027, 2, 1)
    assert [long_date(day, lang) for lang in ("fr", "en", "es")] == [
        "1er février 2027",
        "February 1, 2027",
        "1 de febrero de 2027",
    ]


@time_machine.travel("2027-03-01 10:00 -05:00", tick=False)
def test_a_valid_basis_adds_the_letter_in_english_after_the_french(personas: Personas) -> None:
    declare(personas, "en")
    dossier = make_dossier(personas)
    letter = services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    reader = PdfReader(letter.file.path)
    root: Any = reader.trailer["/Root"]
    # Still the tagged PDF WeasyPrint made, once the parts' languages are written in.
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode()
    assert reader.metadata is not None
    assert (
        reader.metadata.title == f"Accusé de réception de votre demande — dossier {dossier.number}"
    )
    pages = [flat(page.extract_text()) for page in reader.pages]
    # The English part starts on a page of its own, after the whole French letter.
    first_english = next(i for i, page in enumerate(pages) if "March 1, 2027" in page)
    french, english = "\n".join(pages[:first_english]), "\n".join(pages[first_english:])
    total = len(pages)
    assert "Nous avons bien reçu votre demande le 1er mars 2027." in french
    assert "En cas de divergence, la version française prévaut." in french
    assert "The English version of this letter follows the French version." in french
    assert "Pour nous joindre" in french and "How to reach us" not in french
    assert f"Dossier {dossier.number} — page 1 de {total}" in french
    assert "We received your request on March 1, 2027." in english
    assert "the French version prevails" in english
    assert "Nous avons bien reçu" not in english
    assert f"File {dossier.number} — page {total} of {total}" in english
    assert parts(letter.file.path) == ["fr", "en"]
    assert ("/Sect", "en") in structure(letter.file.path)  # the notice in English, page 1


@time_machine.travel("2027-03-01 10:00 -05:00", tick=False)
def test_what_an_agent_wrote_stays_french_and_is_tagged_so(personas: Personas) -> None:
    declare(personas, "es")
    dossier = make_dossier(personas)
    services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    services.dossier_record_fee_payment(dossier=dossier, actor=personas.agent)
    services.dossier_notify_intention(
        dossier=dossier,
        intended=Decision.REFUSED,
        reasons="Le diplôme fourni n'est pas reconnu.",
        actor=personas.agent,
    )
    letter = services.dossier_decide(
        dossier=dossier,
        decision=Decision.REFUSED,
        reasons="Le diplôme fourni n'est pas reconnu.",
        actor=personas.agent,
    )
    content = text(letter.file.path)
    assert "Votre demande est refusée." in content
    assert "Su solicitud ha sido denegada." in content
    assert content.count("Le diplôme fourni n'est pas reconnu.") == 2
    assert ("/BlockQuote", "fr") in structure(letter.file.path)
    assert parts(letter.file.path) == ["fr", "es"]


def test_an_expired_basis_gives_a_french_letter_only(personas: Personas) -> None:
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        declare(personas, "en")
        dossier = make_dossier(personas)
    with time_machine.travel("2027-07-15 10:00 -04:00", tick=False):
        letter = services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
    content = text(letter.file.path)
    assert "Nous avons bien reçu votre demande le 1er mars 2027." in content
    assert "English" not in content and "received" not in content
    assert structure(letter.file.path) == [("/Art", None)] * len(PdfReader(letter.file.path).pages)


@pytest.mark.django_db(transaction=True)
def test_the_email_that_a_letter_waits_follows_the_same_rule(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel("2027-03-01 10:00 -05:00", tick=False):
        declare(personas, "en")
        dossier = make_dossier(personas)
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_acknowledge(dossier=dossier, actor=personas.agent)
        run_tasks()
    message = mail.outbox[-1]
    assert (
        message.subject
        == "Une lettre vous attend dans Guichet / A letter is waiting for you in Guichet"
    )
    assert message.body.index("Une nouvelle lettre") < message.body.index("A new letter")
    for secret in ("Dominique", dossier.number):
        assert secret not in message.body
