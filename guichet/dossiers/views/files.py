"""Serving a dossier's stored files (letters and documents) once access has been granted."""

from django.http import FileResponse

from guichet.dossiers.models import Document, Letter


def letter_response(letter: Letter) -> FileResponse:
    """The letter's PDF, shown in the browser."""
    return FileResponse(
        letter.file.open("rb"), content_type="application/pdf", filename=f"{letter.title}.pdf"
    )


def document_response(document: Document) -> FileResponse:
    """The document as uploaded, always downloaded (never rendered by the browser)."""
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
