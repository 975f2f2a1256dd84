"""Serving a dossier's stored files (letters and documents) once access has been granted, and the
page of an upload refused for its size."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from guichet.dossiers.models import Document, Letter
from guichet.dossiers.uploads import UploadTooLarge, download_name


def letter_response(letter: Letter) -> FileResponse:
    """The letter's PDF (made by Guichet), shown in the browser."""
    response = FileResponse(
        letter.file.open("rb"), content_type="application/pdf", filename=f"{letter.title}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_response(document: Document) -> FileResponse:
    """The document as uploaded, always downloaded (never rendered by the browser), with the
    type its content was checked to be and a name ending with that type's extension."""
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
    )
    # Also set for every response by SecurityMiddleware; said here so that it cannot be lost.
    response["X-Content-Type-Options"] = "nosniff"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: an upload over the size limits gets its own page (413) saying which limit;
    any other bad request, Django's page (templates/400.html)."""
    if isinstance(exception, UploadTooLarge):
        return render(request, "413.html", {"message": exception.message()}, status=413)
    return defaults.bad_request(request, exception)
