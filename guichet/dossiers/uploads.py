"""Checking uploaded files by their content, not their name."""

import hashlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# The first bytes of each accepted format.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadError(ValueError):
    """The file is refused; the message says why, in the language of the request."""


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG of at most 10 Mo, whatever its name says."""
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
