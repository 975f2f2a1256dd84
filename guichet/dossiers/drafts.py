"""The answers of an online request between its steps, kept in the person's session.

The request is made in short steps (one topic a page) and sent from "Vérifier vos réponses"
(guichet/dossiers/views/request.py). Text answers live in the session; a file chosen at the
documents step is checked there (as any upload) and kept in the media storage under
`brouillons/` until the request is sent, when it becomes the dossier's document and the draft
copy is deleted. Starting again or changing a document deletes the copies it replaces. The
session ends with the sign-out or its idle timeout; copies left by a request never sent are
deleted by `drafts_forget_older_than`, which `guichet purge --apply` calls (a day old).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from guichet.dossiers.services import NewDocument
from guichet.dossiers.uploads import CheckedUpload

DRAFT_DIR = "brouillons"


def _key(code: str) -> str:
    return f"demande:{code}"


@dataclass
class Draft:
    """The answers so far to one service's request."""

    code: str
    answers: dict[str, Any]

    @property
    def applicant_name(self) -> str:
        return str(self.answers.get("applicant_name", ""))

    @property
    def postal_address(self) -> str:
        return str(self.answers.get("postal_address", ""))

    @property
    def birth_date(self) -> date | None:
        value = self.answers.get("birth_date")
        return date.fromisoformat(value) if value else None

    @property
    def passport_number(self) -> str:
        return str(self.answers.get("passport_number", ""))

    @property
    def files(self) -> dict[str, list[dict[str, Any]]]:
        files: dict[str, list[dict[str, Any]]] = self.answers.setdefault("files", {})
        return files

    def has(self, *names: str) -> bool:
        return all(name in self.answers for name in names)


def draft_get(session: Any, code: str) -> Draft:
    return Draft(code, dict(session.get(_key(code), {})))


def draft_save(session: Any, draft: Draft) -> None:
    session[_key(draft.code)] = draft.answers


def draft_keep_files(draft: Draft, checklist_code: str, uploads: list[CheckedUpload]) -> None:
    """Keep the checked files of one checklist document, replacing those kept before."""
    _delete(draft.files.pop(checklist_code, []))
    kept = []
    for upload in uploads:
        path = default_storage.save(
            f"{DRAFT_DIR}/{uuid.uuid4().hex}.{upload.extension}", upload.file
        )
        kept.append(
            {
                "path": path,
                "name": (upload.file.name or "")[:255],
                "content_type": upload.content_type,
                "extension": upload.extension,
                "size": upload.size,
                "sha256": upload.sha256,
            }
        )
    draft.files[checklist_code] = kept


def draft_documents(draft: Draft, labels: dict[str, str]) -> list[NewDocument]:
    """The kept files as the documents of the request (open until the request is filed)."""
    found = []
    for code, kept in draft.files.items():
        for f in kept:
            upload = CheckedUpload(
                file=File(default_storage.open(f["path"], "rb"), name=f["name"]),  # type: ignore[arg-type]
                content_type=f["content_type"],
                extension=f["extension"],
                size=f["size"],
                sha256=f["sha256"],
            )
            found.append(NewDocument(upload, checklist_code=code, label=labels.get(code, "")))
    return found


def draft_discard(session: Any, draft: Draft) -> None:
    """Forget the draft and delete its kept files (after filing, or to start again)."""
    for kept in draft.files.values():
        _delete(kept)
    session.pop(_key(draft.code), None)


def _delete(kept: list[dict[str, Any]]) -> None:
    for f in kept:
        default_storage.delete(f["path"])


def drafts_forget_older_than(age: timedelta = timedelta(days=1)) -> int:
    """Delete the kept files of requests never sent (older than `age`); how many went."""
    if not default_storage.exists(DRAFT_DIR):
        return 0
    limit = timezone.now() - age
    gone = 0
    for name in default_storage.listdir(DRAFT_DIR)[1]:
        path = f"{DRAFT_DIR}/{name}"
        modified: datetime = default_storage.get_modified_time(path)
        if modified < limit:
            default_storage.delete(path)
            gone += 1
    return gone
