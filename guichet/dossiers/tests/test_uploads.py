"""What an upload must be to be kept, and how it is served back.

Every file here is a real one made by the test: PDFs written byte by byte (guichet.testing's
pdf_bytes, including a compressed object stream) or by pypdf, PNG headers and JPEGs. Oversized
bodies go through Django's test client as real multipart bodies, from a stream that counts the
bytes Django reads.

Personas: the client who owns the dossier (uploads in the portal, downloads), the unit's agent
(downloads, records a paper request) and, for the downloads, another client who gets nothing.
"""

import io
import logging
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from guichet.dossiers.models import Document, Dossier
from guichet.dossiers.uploads import (
    MAX_BYTES,
    MAX_PDF_OBJECTS,
    MAX_REQUEST_BYTES,
    UploadError,
    check_upload,
    download_name,
)
from guichet.testing import PASSWORD, Personas, jpeg_bytes, make_dossier, pdf_bytes, png_bytes

ACTIVE = (
    "contient du contenu actif (JavaScript, action automatique, fichier joint ou formulaire "
    "dynamique), que Guichet refuse pour protéger les personnes qui l'ouvriront. Imprimez-le en "
    "PDF (« Imprimer », puis « Enregistrer au format PDF ») et envoyez cette copie."
)
TOO_LARGE_IMAGE = (
    "est une image trop grande : la limite est de 10 000 pixels de côté et de 50 millions de "
    "pixels en tout. Réduisez-la et réessayez."
)
POLYGLOT = pdf_bytes(
    comment=b"%<html><body><script>alert(document.cookie)</script></body></html>\n"
)


def refusal(name: str, body: bytes) -> str:
    with pytest.raises(UploadError) as caught:
        check_upload(SimpleUploadedFile(name, body))
    return str(caught.value)


def written_by_pypdf(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pypdf_with_open_action_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('ouvert');"),
        }
    )
    return written_by_pypdf(writer)


def pypdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_attachment("programme.exe", b"MZ\x90\x00")
    return written_by_pypdf(writer)


def pypdf_encrypted(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    owner_password = "proprietaire"  # noqa: S105 (a test file's password)
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    return written_by_pypdf(writer)


# An action written with a hex-escaped name: /J#61vaScript is /JavaScript to every reader.
HEX_ACTION = b"<< /S /J#61vaScript /JS (app.alert(1)) >>"
LINK = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A %s >>]"


# --- PDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(pypdf_with_open_action_javascript(), id="open-action-javascript-by-pypdf"),
        pytest.param(pdf_bytes(catalog=b"/OpenAction " + HEX_ACTION), id="hex-escaped-name"),
        pytest.param(
            pdf_bytes(catalog=b"/OpenAction 4 0 R", extra=[HEX_ACTION], packed=True),
            id="hex-escaped-name-in-a-compressed-object-stream",
        ),
        pytest.param(
            pdf_bytes(catalog=b"/OpenAction << /S /URI /URI (https://exemple.org/pixel) >>"),
            id="open-action-opening-an-address",
        ),
        pytest.param(
            pdf_bytes(page=b"/AA << /O << /S /URI /URI (https://exemple.org) >> >>"),
            id="additional-action-on-a-page",
        ),
        pytest.param(
            pdf_bytes(
                catalog=b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
                extra=[b"<< /S /JavaScript /JS (app.alert(1)) >>"],
            ),
            id="javascript-name-tree",
        ),
        pytest.param(pdf_bytes(page=LINK % b"<< /S /Launch /F (calc.exe) >>"), id="launch-action"),
        pytest.param(
            pdf_bytes(page=LINK % b"<< /S /URI /URI (javascript:alert(1)) >>"),
            id="javascript-address",
        ),
        pytest.param(pypdf_with_attachment(), id="embedded-file-by-pypdf"),
        pytest.param(
            pdf_bytes(page=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>]"),
            id="rich-media",
        ),
        pytest.param(
            pdf_bytes(
                catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>",
                extra=[b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"],
            ),
            id="xfa-form",
        ),
    ],
)
def test_a_pdf_with_active_content_is_refused(body: bytes) -> None:
    assert refusal("lettre.pdf", body) == f"« lettre.pdf » {ACTIVE}"


def test_the_escaped_and_packed_names_are_not_in_the_bytes() -> None:
    """What the two cases above prove: a byte search for /JavaScript finds nothing there."""
    assert b"/JavaScript" not in pdf_bytes(catalog=b"/OpenAction " + HEX_ACTION)
    packed = pdf_bytes(catalog=b"/OpenAction 4 0 R", extra=[HEX_ACTION], packed=True)
    assert b"J#61va" not in packed
    assert b"/OpenAction" not in packed


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(pdf_bytes(), id="plain"),
        pytest.param(pdf_bytes(packed=True), id="compressed-object-stream"),
        pytest.param(pdf_bytes(catalog=b"/OpenAction [3 0 R /Fit]"), id="opens-at-its-page"),
        pytest.param(
            pdf_bytes(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"),
            id="go-to-action-at-opening",
        ),
        pytest.param(
            pdf_bytes(page=LINK % b"<< /S /URI /URI (https://www.quebec.ca) >>"),
            id="link-to-a-web-page",
        ),
        pytest.param(pypdf_encrypted(""), id="restrictions-without-a-password-to-open"),
        pytest.param(POLYGLOT, id="html-inside-a-comment"),
    ],
)
def test_a_plain_pdf_is_accepted(body: bytes) -> None:
    checked = check_upload(SimpleUploadedFile("lettre.pdf", body))
    assert (checked.content_type, checked.extension, checked.size) == (
        "application/pdf",
        "pdf",
        len(body),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"%PDF-1.7\n<html><script>alert(1)</script></html>",
            "« scan.pdf » commence comme un PDF mais n'a pas pu être lu en entier ; il est "
            "peut-être endommagé. Enregistrez-le de nouveau en PDF et réessayez.",
        ),
        (
            pypdf_encrypted("secret"),
            "« scan.pdf » est protégé par un mot de passe. Envoyez une copie sans mot de passe.",
        ),
        (
            pdf_bytes(extra=[b"<< >>"] * (MAX_PDF_OBJECTS - 2)),
            "« scan.pdf » est un PDF trop complexe pour être vérifié. Imprimez-le en PDF "
            "(« Imprimer », puis « Enregistrer au format PDF ») et envoyez cette copie.",
        ),
    ],
    ids=["unreadable", "password-to-open", "too-many-objects"],
)
def test_a_pdf_that_cannot_be_checked_is_refused(body: bytes, message: str) -> None:
    assert refusal("scan.pdf", body) == message


def test_a_pdf_just_under_the_object_limit_is_accepted() -> None:
    # The catalogue, the page tree, the page, the extra objects and the free object 0.
    body = pdf_bytes(extra=[b"<< >>"] * (MAX_PDF_OBJECTS - 4))
    assert check_upload(SimpleUploadedFile("long.pdf", body)).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“lettre.pdf” contains active content"),
        ("es", "«lettre.pdf» contiene contenido activo"),
    ],
)
def test_the_refusal_is_in_the_language_of_the_page(language: str, message: str) -> None:
    with translation.override(language):
        assert refusal("lettre.pdf", pypdf_with_open_action_javascript()).startswith(message)


# --- Images -------------------------------------------------------------------------------------


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is rewritten to claim width x height."""
    body = bytearray(jpeg_bytes())
    sof = body.index(b"\xff\xc0")
    body[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(body)


@pytest.mark.parametrize(
    "body",
    [
        # Past twice Pillow's MAX_IMAGE_PIXELS: Pillow itself refuses to open it.
        pytest.param(png_bytes(50_000, 50_000), id="png-50000x50000"),
        # Past Pillow's MAX_IMAGE_PIXELS, under twice it: Pillow only warns.
        pytest.param(png_bytes(12_000, 9_000), id="png-108-megapixels"),
        pytest.param(png_bytes(10_001, 10), id="png-one-side-too-long"),
        pytest.param(png_bytes(9_000, 6_000), id="png-54-megapixels"),
        pytest.param(jpeg_claiming(60_000, 60_000), id="jpeg-60000x60000"),
    ],
)
def test_an_image_of_absurd_dimensions_is_refused(body: bytes) -> None:
    assert refusal("photo", body) == f"« photo » {TOO_LARGE_IMAGE}"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        pytest.param(png_bytes(10_000, 5_000), "image/png", id="png-at-both-limits"),
        pytest.param(png_bytes(8_064, 6_048), "image/png", id="png-48-megapixel-photo"),
        pytest.param(jpeg_claiming(4_960, 7_016), "image/jpeg", id="jpeg-a4-at-600-dpi"),
    ],
)
def test_an_image_within_the_limits_is_accepted(body: bytes, kind: str) -> None:
    assert check_upload(SimpleUploadedFile("photo", body)).content_type == kind


def test_an_image_whose_header_does_not_read_is_refused() -> None:
    assert refusal("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == (
        "« photo.png » commence comme une image PNG mais n'a pas pu être lu ; il est "
        "peut-être endommagé. Enregistrez-le de nouveau et réessayez."
    )


# --- The name a file is served under -------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "content_type", "served"),
    [
        ("poly.html", "application/pdf", "poly.html.pdf"),
        ("scan.PDF", "application/pdf", "scan.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.JPG", "image/jpeg", "photo.JPG"),
        ("photo.png", "image/jpeg", "photo.png.jpg"),
        ("sans-extension", "image/png", "sans-extension.png"),
        ("Relevé v1.2", "application/pdf", "Relevé v1.2.pdf"),
        (".pdf", "application/pdf", ".pdf.pdf"),
        ("", "application/pdf", "document.pdf"),
        ("a\r\nb/c\\d.pdf", "application/pdf", "abcd.pdf"),
    ],
)
def test_download_name_ends_with_the_checked_type(
    original: str, content_type: str, served: str
) -> None:
    assert download_name(original, content_type) == served


@pytest.mark.django_db
def test_a_polyglot_is_kept_and_served_as_the_pdf_it_was_checked_to_be(
    personas: Personas,
) -> None:
    dossier = make_dossier(personas)
    owner = Client()
    assert owner.login(username=personas.owner.email, password=PASSWORD)
    response = owner.post(
        f"/dossiers/{dossier.number}/documents/",
        {
            "documents-version": dossier.version,
            "documents-item": "autre",
            "documents-attachments": SimpleUploadedFile("poly.html", POLYGLOT, "text/html"),
        },
    )
    assert response.status_code == 302
    document = dossier.documents.get()
    assert (document.original_name, document.content_type, document.file.name[-4:]) == (
        "poly.html",
        "application/pdf",
        ".pdf",
    )
    page = owner.get(f"/dossiers/{dossier.number}/").content.decode()
    assert "(poly.html, reçu le" in page  # the client's name is what they see

    agent = Client()
    assert agent.login(username=personas.agent.email, password=PASSWORD)
    for client, path in (
        (owner, f"/dossiers/{dossier.number}/documents/{document.pk}/"),
        (agent, f"/bureau/dossiers/{dossier.number}/documents/{document.pk}/"),
    ):
        download = client.get(path)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == 'attachment; filename="poly.html.pdf"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == POLYGLOT  # type: ignore[attr-defined]

    other = Client()
    assert other.login(username=personas.other_client.email, password=PASSWORD)
    assert other.get(f"/dossiers/{dossier.number}/documents/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_refused_pdf_changes_nothing_and_says_why(personas: Personas) -> None:
    dossier = make_dossier(personas)
    before = (dossier.version, dossier.events.count(), Document.objects.count())
    owner = Client()
    assert owner.login(username=personas.owner.email, password=PASSWORD)
    response = owner.post(
        f"/dossiers/{dossier.number}/documents/",
        {
            "documents-version": dossier.version,
            "documents-item": "autre",
            "documents-attachments": SimpleUploadedFile(
                "formulaire.pdf", pypdf_with_open_action_javascript()
            ),
        },
    )
    assert response.status_code == 400
    assert (
        "« formulaire.pdf » contient du contenu actif (JavaScript, action automatique, fichier "
        "joint ou formulaire dynamique)" in response.content.decode().replace("&#x27;", "'")
    )
    dossier.refresh_from_db()
    assert (dossier.version, dossier.events.count(), Document.objects.count()) == before


# --- Size: refused while the body is read --------------------------------------------------------


class MultipartBody(io.RawIOBase):
    """A multipart body produced on demand (its big file is never held in memory), counting
    the bytes read from it."""

    def __init__(self, head: bytes, filler: int, tail: bytes) -> None:
        self.head, self.filler, self.tail = head, filler, tail
        self.length = len(head) + filler + len(tail)
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self.length - self.position)
        out = bytearray()
        start, end = self.position, self.position + size
        head_end, filler_end = len(self.head), len(self.head) + self.filler
        out += self.head[start:end]
        out += b"0" * max(0, min(end, filler_end) - max(start, head_end))
        out += self.tail[max(0, start - filler_end) : max(0, end - filler_end)]
        buffer[:size] = out
        self.position = end
        return size


BOUNDARY = "----GuichetFrontiere"


def multipart(fields: dict[str, str], file_field: str, file_name: str, size: int) -> MultipartBody:
    """A body with `fields`, then one PDF-looking file of `size` bytes."""
    head = b"".join(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
    ).encode()
    return MultipartBody(head, size - len(b"%PDF-1.7\n"), f"\r\n--{BOUNDARY}--\r\n".encode())


def post_body(client: Client, path: str, body: MultipartBody) -> Any:
    environ: dict[str, Any] = {
        "wsgi.input": body,
        "CONTENT_LENGTH": str(body.length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
    }
    return client.generic("POST", path, **environ)


def browser(user: Any, page: str) -> tuple[Client, str]:
    """A client that enforces CSRF as a browser is held to, signed in, and the token of a page
    it has just loaded: the body is read by the CSRF check, before any view."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.email, password=PASSWORD)
    assert client.get(page).status_code == 200
    return client, client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_a_40_mib_file_is_cut_off_at_the_limit(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    dossier = make_dossier(personas)
    before = (dossier.version, dossier.events.count(), Document.objects.count())
    client, token = browser(personas.owner, f"/dossiers/{dossier.number}/")
    body = multipart(
        {
            "csrfmiddlewaretoken": token,
            "documents-version": str(dossier.version),
            "documents-item": "autre",
        },
        "documents-attachments",
        "passeport-Dominique-Exemple.pdf",
        40 * 1024 * 1024,
    )
    with caplog.at_level(logging.INFO):
        response = post_body(client, f"/dossiers/{dossier.number}/documents/", body)

    assert response.status_code == 413
    html = response.content.decode().replace("&#x27;", "'")
    assert "<h1>Fichier trop volumineux</h1>" in html
    assert (
        "« passeport-Dominique-Exemple.pdf » pèse plus de 10 Mo ; la limite est de 10 Mo par "
        "fichier." in html
    )
    assert "Rien n'a été envoyé ni changé." in html
    # Read: the fields, then the file up to the limit and the chunk that passed it.
    assert MAX_BYTES < body.position < MAX_BYTES + 200 * 1024
    assert body.length > 40 * 1024 * 1024
    dossier.refresh_from_db()
    assert (dossier.version, dossier.events.count(), Document.objects.count()) == before
    assert "Dominique" not in caplog.text  # a file name can be a person's name
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_a_body_announcing_more_than_the_limit_is_not_read_at_all(personas: Personas) -> None:
    client, token = browser(personas.agent, "/bureau/courrier/")
    body = multipart(
        {
            "csrfmiddlewaretoken": token,
            "service": "caq-etudiant",
            "received_on": "2026-12-01",
            "applicant_name": "Dominique Exemple",
            "postal_address": "100, rue de l'Exemple",
            "birth_date_jour": "17",
            "birth_date_mois": "5",
            "birth_date_annee": "1990",
        },
        "attachments",
        "courrier.pdf",
        MAX_REQUEST_BYTES,
    )
    before = Dossier.objects.count()

    response = post_body(client, "/bureau/courrier/", body)

    assert response.status_code == 413
    assert (
        "Les fichiers envoyés ensemble pèsent plus de 50 Mo, la limite pour un envoi. Envoyez-les "
        "en plusieurs fois." in response.content.decode()
    )
    assert body.position == 0
    assert Dossier.objects.count() == before


@pytest.mark.django_db
def test_a_file_at_the_limit_goes_through(personas: Personas) -> None:
    """The same road with a file of exactly 10 Mo: read whole, then checked (and refused for
    not being a readable PDF, by the form, with the page of the dossier)."""
    dossier = make_dossier(personas)
    client, token = browser(personas.owner, f"/dossiers/{dossier.number}/")
    body = multipart(
        {
            "csrfmiddlewaretoken": token,
            "documents-version": str(dossier.version),
            "documents-item": "autre",
        },
        "documents-attachments",
        "scan.pdf",
        MAX_BYTES,
    )
    response = post_body(client, f"/dossiers/{dossier.number}/documents/", body)
    assert response.status_code == 400
    assert body.position == body.length
    assert "« scan.pdf » commence comme un PDF mais n&#x27;a pas pu être lu en entier" in (
        response.content.decode()
    )
