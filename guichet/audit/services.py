"""Every write to the access log: every app records reads and changes here (the dossiers'
access-scoped getters each read, `dossiers.services._event` each change, accounts each account
event, privacy its own screens and the purge). Nothing here knows those apps' models.
"""

import functools
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone, translation

from guichet.accounts.models import User
from guichet.audit import chain
from guichet.audit.middleware import current_path
from guichet.audit.models import AccessAction, AccessLog, AccountEvent, SubjectKind


def access_log_record(
    *,
    action: AccessAction,
    subject_kind: SubjectKind,
    why: str,
    actor: User | int | None = None,
    actor_label: str = "",
    subject_id: int | None = None,
    subject_number: str = "",
    person: User | int | None = None,
    path: str | None = None,
    checkpoint: str = "",
) -> AccessLog:
    """Append one entry to the access log, sealed in its chain (chain.py). `actor` (an account
    or its id) is None for the system (say what it is in `actor_label`); `person` is the
    client account whose information it is, when there is one; `path` defaults to the request
    being answered; `checkpoint` is the purge's list of what it removed. With neither
    `actor` nor `actor_label`, the entry is the system's ("système").

    A `subject_number` longer than its column is refused here, on every database (SQLite
    would store it, PostgreSQL refuse it): it can only be a caller's mistake, to be caught by
    its tests, and truncating it would record another dossier's number."""
    if len(subject_number) > _SUBJECT_NUMBER_MAX_LENGTH:
        raise ValueError(f"subject_number longer than {_SUBJECT_NUMBER_MAX_LENGTH} characters")
    entry = AccessLog(
        at=timezone.now(),
        action=action,
        subject_kind=subject_kind,
        why=why[:200],
        actor_id=_id(actor),
        actor_label=(actor_label or ("" if actor is not None else SYSTEM))[:120],
        subject_id=subject_id,
        subject_number=subject_number,
        person_id=_id(person),
        path=current_path.get() if path is None else path[:300],
        checkpoint=checkpoint,
    )
    # One transaction (or the caller's) holds the lane from its choice to the new head.
    with transaction.atomic(savepoint=False):
        entry.lane, entry.previous_hash = chain.take_lane()
        entry.row_hash = chain.entry_digest(entry)
        # Every page that shows personal information writes one: a plain INSERT, its text
        # built once, costs a fraction of the ORM's (which compiles it on every call).
        values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _LOG_FIELDS]
        entry.pk = chain.insert_sealed(_log_insert(), values, entry.lane, entry.row_hash)
    entry._state.adding = False
    entry._state.db = DEFAULT_DB_ALIAS
    return entry


def access_log_system_entry(
    *,
    action: AccessAction,
    subject_kind: SubjectKind,
    why: str,
    actor_label: str,
    subject_id: int | None = None,
    subject_number: str = "",
    person: User | int | None = None,
    checkpoint: str = "",
) -> AccessLog:
    """An entry written by a process rather than a person (the purge, a scheduled job):
    `actor_label` names it, and no request path goes with it."""
    return access_log_record(
        action=action,
        subject_kind=subject_kind,
        why=why,
        actor=None,
        actor_label=actor_label,
        subject_id=subject_id,
        subject_number=subject_number,
        person=person,
        path="",
        checkpoint=checkpoint,
    )


def _id(account: object) -> int | None:
    """The id of an account given as a User or an id; None for anything else (anonymous)."""
    if isinstance(account, User):
        return account.pk
    return account if isinstance(account, int) else None


SYSTEM = "système"  # the label of an entry no person and no named process wrote
_SUBJECT_NUMBER_MAX_LENGTH = AccessLog._meta.get_field("subject_number").max_length or 0
# Every column but the id, which the database gives.
_LOG_FIELDS = tuple(f for f in AccessLog._meta.concrete_fields if not f.primary_key)


@functools.cache
def _log_insert() -> str:
    columns = ", ".join(f.column for f in _LOG_FIELDS)
    marks = ", ".join(["%s"] * len(_LOG_FIELDS))
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608 (names from the model)


class Subject(Protocol):
    """What the log needs of a dossier: its id, number and client (dossiers.Dossier)."""

    pk: Any
    number: str
    client_id: int | None


def access_log_read(
    *,
    dossier: Subject,
    actor: User | int,
    why: str,
    subject_kind: SubjectKind = SubjectKind.DOSSIER,
    subject_id: int | None = None,
) -> AccessLog:
    """A person read a dossier, or one of its letters or documents (`subject_kind`, with the
    letter's or document's id)."""
    return access_log_record(
        action=AccessAction.READ,
        subject_kind=subject_kind,
        subject_id=dossier.pk if subject_kind == SubjectKind.DOSSIER else subject_id,
        subject_number=dossier.number,
        person=dossier.client_id,
        actor=actor,
        why=why,
    )


# --- Account events ---------------------------------------------------------------------------


def access_log_account_event(
    *,
    event: AccountEvent,
    person: User | int | None,
    actor: User | None = None,
    actor_label: str = "",
) -> AccessLog:
    """One event of an account (sign-up, log-in, password, second factor…). `person` is the
    account; None only for a failed log-in with an address that has no account, whose typed
    address is not kept."""
    person_id = person.pk if isinstance(person, User) else person
    with translation.override("fr"):
        why = str(event.label)
    return access_log_record(
        action=AccessAction.ACCOUNT,
        subject_kind=SubjectKind.PERSON,
        subject_id=person_id,
        person=person_id,
        actor=actor,
        actor_label=actor_label,
        why=why,
    )
