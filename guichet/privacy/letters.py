"""Letters about a request for access or rectification, as tagged PDF files (PDF/UA-1) made
with WeasyPrint, like the dossiers' letters (guichet/dossiers/letters.py, whose date format
this shares): complete in French, with a title and the document language."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from guichet.catalogue.models import Declaration
from guichet.dossiers.letters import long_date_fr
from guichet.privacy.models import InfoRequest, InfoRequestFileKind

# The body template of each letter, and its title.
LETTERS = {
    "extension": "Prolongation du délai de réponse à votre demande",
    "access": "Réponse à votre demande d'accès à vos renseignements personnels",
    "rectified": "Réponse à votre demande de rectification : renseignements corrigés",
    "refused": "Réponse à votre demande de rectification : refus",
}
FILE_KIND = {
    "extension": InfoRequestFileKind.EXTENSION_NOTICE,
    "access": InfoRequestFileKind.ANSWER,
    "rectified": InfoRequestFileKind.ANSWER,
    "refused": InfoRequestFileKind.ANSWER,
}
FALLBACK_ORGANIZATION = "Ministère de l'Immigration et des Communautés culturelles"


def letter_title(letter: str, request: InfoRequest) -> str:
    return f"{LETTERS[letter]} — {request.reference}"


def render_request_letter(letter: str, request: InfoRequest, context: dict[str, Any]) -> bytes:
    """The letter `letter` (a key of LETTERS) about `request`, as PDF bytes."""
    from weasyprint import HTML

    today = timezone.localdate()
    declaration = Declaration.objects.in_force_on(today).first()
    html = render_to_string(
        f"privacy/letters/{letter}.html",
        {
            "request": request,
            "person": request.person,
            "organization": declaration.organization if declaration else FALLBACK_ORGANIZATION,
            "title": letter_title(letter, request),
            "today": long_date_fr(today),
            "received_long": long_date_fr(request.received_on),
            "long_date": long_date_fr,
            **context,
        },
    )
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
