"""Letters to clients as tagged PDF files (PDF/UA-1), made with WeasyPrint from templates.

A letter is always complete in French; the title and the document language are set so that a
screen reader announces and reads it properly.
"""

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from guichet.dossiers.models import Dossier, LetterKind

TITLES = {
    LetterKind.ACKNOWLEDGMENT: "Accusé de réception de votre demande",
    LetterKind.INCOMPLETENESS: "Votre demande est incomplète",
    LetterKind.INTENTION: "Avis d'intention concernant votre demande",
    LetterKind.DECISION: "Décision concernant votre demande",
}

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date_fr(day: date) -> str:
    """« 1er février 2027 », as French letters write dates."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"


def letter_title(kind: LetterKind, dossier: Dossier) -> str:
    return f"{TITLES[kind]} — dossier {dossier.number}"


def render_letter_pdf(kind: LetterKind, dossier: Dossier, context: dict[str, Any]) -> bytes:
    """The letter of `kind` for `dossier` as PDF bytes (tagged, with title and language)."""
    html = render_to_string(
        f"dossiers/letters/{kind}.html",
        {
            "dossier": dossier,
            "service": dossier.service,
            "declaration": dossier.service.declaration,
            "title": letter_title(kind, dossier),
            "today": long_date_fr(timezone.localdate()),
            "long_date": long_date_fr,
            **context,
        },
    )
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
