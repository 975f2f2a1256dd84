"""Checking uploaded files by their content, not their name.

A file is accepted when its first bytes say PDF, JPEG or PNG *and* the matching parser reads it:
a PDF is parsed with pypdf and refused if it carries active content (JavaScript, actions that
run by themselves, launched programs, embedded files, rich media, XFA forms); an image's header
is read with Pillow (the pixels are never decoded) and refused beyond MAX_IMAGE_SIDE pixels a side
or MAX_IMAGE_PIXELS in all. Each file is served back under a name ending with the extension of
its checked type (`download_name`).

The size limits are enforced while the request body is read, by `UploadLimitHandler` (first of
FILE_UPLOAD_HANDLERS): a body announcing more than MAX_REQUEST_BYTES is refused before a byte of
it is read, and a file is cut off as soon as it passes MAX_BYTES; the request then ends in the
"file too large" page (413), and nothing is changed.
"""

import hashlib
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_BYTES = 10 * 1024 * 1024
# What one request may carry in all (several files of one form): five files at the limit.
MAX_REQUEST_BYTES = 5 * MAX_BYTES
# An A4 page scanned at 600 dpi is 4,960 x 7,016 pixels and a 48-megapixel phone photo
# 8,064 x 6,048: these pass; an image that claims more is refused before anyone opens it.
MAX_IMAGE_SIDE = 10_000
MAX_IMAGE_PIXELS = 50_000_000
# Checking costs about 45 microseconds an object: a 10 Mo file of tiny objects would keep a
# worker busy for ten seconds. A 1,000-page text PDF has a few thousand objects.
MAX_PDF_OBJECTS = 50_000

# The first bytes of each accepted format.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# The extensions a name may already end with for each type (the first one is added otherwise).
_EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

# Keys found only in active content: JavaScript (an action's /JS, the document's /JavaScript
# name tree), additional actions run on events (/AA), embedded files, rich media, XFA forms.
_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/RichMediaContent", "/XFA"}
)
# Actions that run code, open or submit something; /GoTo, /URI (a link the reader clicks),
# /Named (next page...) and the like stay allowed.
_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/GoTo3DView",
    }
)
# Annotations that play or carry something.
_ACTIVE_SUBTYPES = frozenset(
    {"/RichMedia", "/FileAttachment", "/Screen", "/Movie", "/Sound", "/3D"}
)
# Visits of the PDF's object graph, direct objects included, before giving up.
_MAX_PDF_VISITS = 20 * MAX_PDF_OBJECTS


class UploadError(ValueError):
    """The file is refused; the message says why, in the language of the request."""


class UploadTooLarge(MultiPartParserError):
    """The request body passes a limit: raised while it is read, before it is read whole.

    A MultiPartParserError, so that Django stops parsing, keeps POST and FILES empty and answers
    through handler400 (`guichet.dossiers.views.files.bad_request`: the 413 page). Its text is
    for the log and names no file (a file name can be a person's name); `message()` is for the
    person."""

    def __init__(self, *, file_name: str = "") -> None:
        super().__init__("upload refused: over the size limit")
        self.file_name = file_name

    def message(self) -> str:
        if self.file_name:
            return _("« %(name)s » pèse plus de 10 Mo ; la limite est de 10 Mo par fichier.") % {
                "name": self.file_name
            }
        return _(
            "Les fichiers envoyés ensemble pèsent plus de 50 Mo, la limite pour un envoi. "
            "Envoyez-les en plusieurs fois."
        )


class UploadLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a request announcing more than MAX_REQUEST_BYTES
    before reading it, and stops reading a file as soon as it passes MAX_BYTES.

    It raises instead of Django's StopUpload: StopUpload lets the view run on a form whose file
    is missing (observations would be recorded without their attachment), and, without a
    connection reset, reads the rest of the body anyway."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],  # noqa: N803 (Django's name)
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if content_length > MAX_REQUEST_BYTES:
            raise UploadTooLarge()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self._close_others()
            raise UploadTooLarge(file_name=self.file_name or "")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _close_others(self) -> None:
        # Django closes the handlers' files only on StopUpload or SkipFile: the temporary file
        # being written is closed (and so deleted) here.
        for handler in getattr(self.request, "upload_handlers", ()):
            file = getattr(handler, "file", None)
            if handler is not self and file is not None:
                file.close()


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG of at most 10 Mo, whatever its name says, if its parser reads
    it: a PDF without active content, an image of sane dimensions."""
    name = upload.name or _("fichier")
    size = upload.size or 0
    if size == 0:
        raise UploadError(_("« %(name)s » est vide.") % {"name": name})
    if size > MAX_BYTES:
        megabytes = number_format(size / 1024 / 1024, decimal_pos=1)
        raise UploadError(
            _("« %(name)s » pèse %(size)s Mo ; la limite est de 10 Mo par fichier.")
            % {"name": name, "size": megabytes}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            if content_type == "application/pdf":
                _check_pdf(upload, name)
            else:
                _check_image(upload, name, _PILLOW_FORMATS[content_type])
            upload.seek(0)
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            return CheckedUpload(upload, content_type, extension, size, digest.hexdigest())
    raise UploadError(
        _(
            "« %(name)s » n'est pas un fichier PDF, JPEG ou PNG (son contenu a été vérifié, pas "
            "seulement son nom)."
        )
        % {"name": name}
    )


def download_name(original_name: str, content_type: str) -> str:
    """The name a stored file is served under: the client's name, ending with the extension of
    the type its content was checked to be (`poly.html` checked as a PDF: `poly.html.pdf`).

    The client's name is kept whole (it is what they know the file by, and a dot in it may not
    start an extension); only control characters and slashes are dropped."""
    name = "".join(
        c for c in original_name if unicodedata.category(c) != "Cc" and c not in "/\\"
    ).strip()
    extensions = _EXTENSIONS.get(content_type)
    if not extensions:  # not one of ours: nothing a browser would open by its name
        return name or "document"
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix.lower() in extensions:
        return name
    return f"{name or 'document'}.{extensions[0]}"


def _check_image(upload: UploadedFile, name: str, pillow_format: str) -> None:
    """Read the image's header (never its pixels) and refuse absurd dimensions.

    Pillow's own decompression-bomb check stays on: past Image.MAX_IMAGE_PIXELS it warns, past
    twice that it refuses to open the file; both are refused here, as is anything over our
    smaller limits."""
    too_large = UploadError(
        _(
            "« %(name)s » est une image trop grande : la limite est de 10 000 pixels de côté et "
            "de 50 millions de pixels en tout. Réduisez-la et réessayez."
        )
        % {"name": name}
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[pillow_format]) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        # SyntaxError is how Pillow's parsers report a malformed header.
        raise UploadError(
            _(
                "« %(name)s » commence comme une image %(format)s mais n'a pas pu être lu ; il "
                "est peut-être endommagé. Enregistrez-le de nouveau et réessayez."
            )
            % {"name": name, "format": pillow_format}
        ) from None
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise too_large


def _check_pdf(upload: UploadedFile, name: str) -> None:
    """Parse the PDF and refuse it if it cannot be read whole or carries active content."""
    upload.seek(0)
    try:
        problem = _pdf_problem(PdfReader(upload))
    except Exception:
        # A parser fed hostile bytes fails in many ways (its own errors, but also KeyError,
        # RecursionError...): each one means a file we cannot vouch for.
        problem = "unreadable"
    messages = {
        "unreadable": _(
            "« %(name)s » commence comme un PDF mais n'a pas pu être lu en entier ; il est "
            "peut-être endommagé. Enregistrez-le de nouveau en PDF et réessayez."
        ),
        "encrypted": _(
            "« %(name)s » est protégé par un mot de passe. Envoyez une copie sans mot de passe."
        ),
        "complex": _(
            "« %(name)s » est un PDF trop complexe pour être vérifié. Imprimez-le en PDF "
            "(« Imprimer », puis « Enregistrer au format PDF ») et envoyez cette copie."
        ),
        "active": _(
            "« %(name)s » contient du contenu actif (JavaScript, action automatique, fichier "
            "joint ou formulaire dynamique), que Guichet refuse pour protéger les personnes qui "
            "l'ouvriront. Imprimez-le en PDF (« Imprimer », puis « Enregistrer au format "
            "PDF ») et envoyez cette copie."
        ),
    }
    if problem:
        raise UploadError(messages[problem] % {"name": name})


def _pdf_problem(reader: PdfReader) -> str | None:
    """What makes this PDF unacceptable, if anything: every object of its cross-reference
    (those in compressed object streams too) and everything reachable from its trailer is
    visited. pypdf decodes names (`/J#61vaScript` is `/JavaScript`), so the checks compare
    what a reader of the file would see."""
    if reader.is_encrypted:
        # Restrictions with no password to open are fine (staff can open the file); a password
        # to open is not, nor an encryption pypdf cannot undo.
        try:
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return "encrypted"
        except Exception:
            return "encrypted"
    numbers = [(idnum, gen) for gen, ids in reader.xref.items() for idnum in ids]
    numbers += [(idnum, 0) for idnum in reader.xref_objStm]
    if len(numbers) > MAX_PDF_OBJECTS:
        return "complex"
    stack: list[Any] = [reader.trailer]
    stack += [IndirectObject(idnum, gen, reader) for idnum, gen in numbers]
    seen: set[tuple[int, int]] = set()
    for visits, obj in enumerate(_pop_all(stack)):
        if visits > _MAX_PDF_VISITS:
            return "complex"
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if _is_active(obj):
                return "active"
            stack.extend(dict.values(obj))  # as stored: references are followed once
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return None


def _pop_all(stack: list[Any]) -> Iterator[Any]:
    while stack:
        yield stack.pop()


def _get(d: DictionaryObject, key: str) -> Any:
    """The value under `key`, reference followed (None if absent)."""
    value = dict.get(d, NameObject(key))
    return value.get_object() if isinstance(value, IndirectObject) else value


def _name(d: DictionaryObject, key: str) -> str:
    value = _get(d, key)
    return str(value) if isinstance(value, NameObject) else ""


def _is_active(d: DictionaryObject) -> bool:
    keys = {str(key) for key in dict.keys(d)}
    if keys & _ACTIVE_KEYS:
        return True
    action = _name(d, "/S")
    if action in _ACTIVE_ACTIONS:
        return True
    if action == "/URI":
        target = str(_get(d, "/URI") or "").strip().lower()
        if target.startswith(("javascript:", "file:")):
            return True
    if _name(d, "/Subtype") in _ACTIVE_SUBTYPES:
        return True
    if "/OpenAction" in keys:
        # Opening at a page (a destination, or a /GoTo action with nothing after it) is all a
        # document may do by itself: any other action would run as soon as it is opened.
        opening = _get(d, "/OpenAction")
        if isinstance(opening, DictionaryObject):
            following = _get(opening, "/Next")
            return _name(opening, "/S") != "/GoTo" or isinstance(
                following, DictionaryObject | ArrayObject
            )
        return not isinstance(opening, ArrayObject)
    return False
