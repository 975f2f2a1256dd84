"""Reading the enquiries' mailbox over IMAP (imaplib, the standard library's client).

`mailbox_fetch()` takes every message of the folder whose UID is above the last one taken
(`MailboxState`, reset when the folder's UIDVALIDITY changes) and gives each to
`enquiry_receive`, which knows a message it has seen by its Message-ID: reading twice counts
nothing twice. Messages are marked \\Seen once recorded, never deleted.
"""

from __future__ import annotations

import imaplib
import re
from dataclasses import dataclass, field

from django.conf import settings

from guichet.contact.models import MailboxState
from guichet.contact.services import enquiry_receive

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True

    @classmethod
    def configured(cls) -> MailboxSettings | None:
        if not settings.GUICHET_IMAP_HOST:
            return None
        return cls(
            settings.GUICHET_IMAP_HOST,
            settings.GUICHET_IMAP_PORT,
            settings.GUICHET_IMAP_USER,
            settings.GUICHET_IMAP_PASSWORD,
            settings.GUICHET_IMAP_FOLDER,
            settings.GUICHET_IMAP_SSL,
        )

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass
class FetchResult:
    read: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)


def _connect(box: MailboxSettings, timeout: float) -> imaplib.IMAP4:
    if box.ssl:
        return imaplib.IMAP4_SSL(box.host, box.port, timeout=timeout)
    return imaplib.IMAP4(box.host, box.port, timeout=timeout)


def mailbox_fetch(box: MailboxSettings, *, timeout: float = 30) -> FetchResult:
    result = FetchResult()
    state, _ = MailboxState.objects.get_or_create(key=box.key)
    with _connect(box, timeout) as imap:
        imap.login(box.user, box.password)
        status, data = imap.select(f'"{box.folder}"')
        if status != "OK":
            raise imaplib.IMAP4.error(f"dossier IMAP introuvable : {box.folder}")
        validity = 0
        for line in imap.response("UIDVALIDITY")[1] or []:
            if isinstance(line, bytes) and line.isdigit():
                validity = int(line)
        if validity != state.uidvalidity:
            state.uidvalidity, state.last_uid = validity, 0
        status, found = imap.uid("SEARCH", f"UID {state.last_uid + 1}:*")
        uids = sorted(int(u) for u in (found[0] or b"").split() if int(u) > state.last_uid)
        for uid in uids:
            status, parts = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or not isinstance(raw, bytes):
                result.errors.append(f"UID {uid} : message illisible")
                continue
            received = enquiry_receive(raw=raw)
            result.read += 1
            result.new += int(received.created)
            imap.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            state.last_uid = uid
            MailboxState.objects.filter(pk=state.pk).update(
                uidvalidity=state.uidvalidity, last_uid=uid
            )
        MailboxState.objects.filter(pk=state.pk).update(
            uidvalidity=state.uidvalidity, last_uid=state.last_uid
        )
        imap.logout()
    return result
