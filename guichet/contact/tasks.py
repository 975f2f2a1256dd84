"""Background work of the contact centre, for the django-tasks worker (`guichet db_worker`) or
a systemd timer running the same commands (docs/contact.md)."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from guichet.contact.mailbox import MailboxSettings, mailbox_fetch
from guichet.contact.queuelog import queue_log_import
from guichet.contact.services import voicemail_import


@task()
def import_configured_sources() -> dict[str, int]:
    """Read the configured telephony logs, voice-mail store and mailbox on from where the last
    run stopped; each is idempotent, so a run that overlaps another counts nothing twice."""
    lines = 0
    for path, fmt in settings.GUICHET_TELEPHONY_LOGS:
        if Path(path).is_file():
            lines += queue_log_import(path=Path(path), fmt=fmt).lines
    voice = 0
    if settings.GUICHET_VOICEMAIL_DIR and Path(settings.GUICHET_VOICEMAIL_DIR).is_dir():
        voice = voicemail_import(root=Path(settings.GUICHET_VOICEMAIL_DIR)).created
    mails = 0
    box = MailboxSettings.configured()
    if box is not None:
        mails = mailbox_fetch(box).new
    return {"queue_log_lines": lines, "voice_messages": voice, "emails": mails}
