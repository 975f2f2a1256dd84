"""The dossiers' services for the retention schedule: each anonymizes or destroys the dossiers
app's own rows, and writes its row of the access log. The privacy app's purge decides what is
due and calls them (guichet/privacy/purge.py); nothing else should.

They rewrite or delete append-only history (dossier events), which the database refuses
outside a purge: call them inside `guichet.append_only.purge_writable()`, in the purge's
transaction, as the owner role on PostgreSQL.
"""

from django.db import transaction

from guichet.audit.models import AccessAction, SubjectKind
from guichet.audit.services import access_log_system_entry
from guichet.dossiers.models import Document, Dossier, DossierEvent, Letter


def _remove_file_after_commit(record: Document | Letter) -> None:
    storage, name = record.file.storage, record.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _file_destroy(record: Document | Letter, *, why: str, actor_label: str) -> None:
    dossier = record.dossier
    kind = SubjectKind.DOCUMENT if isinstance(record, Document) else SubjectKind.LETTER
    pk = record.pk
    _remove_file_after_commit(record)
    type(record).objects.filter(pk=pk).delete()
    access_log_system_entry(
        action=AccessAction.DESTROY,
        subject_kind=kind,
        why=why,
        actor_label=actor_label,
        subject_id=pk,
        subject_number=dossier.number,
        person=dossier.client_id,
    )


@transaction.atomic
def document_destroy(*, document: Document, why: str, actor_label: str) -> None:
    """Destroy a document: its row now, its file once the transaction commits."""
    _file_destroy(document, why=why, actor_label=actor_label)


@transaction.atomic
def letter_destroy(*, letter: Letter, why: str, actor_label: str) -> None:
    """Destroy a letter: its row now, its PDF once the transaction commits."""
    _file_destroy(letter, why=why, actor_label=actor_label)


def _files_destroy(dossier: Dossier, *, why: str, actor_label: str) -> None:
    for document in dossier.documents.select_related("dossier"):
        _file_destroy(document, why=why, actor_label=actor_label)
    for letter in dossier.letters.select_related("dossier"):
        _file_destroy(letter, why=why, actor_label=actor_label)


@transaction.atomic
def dossier_anonymize(*, dossier: Dossier, why: str, actor_label: str, staff_ids: set[int]) -> None:
    """Keep the dossier for the figures, without the person: its files destroyed, its link
    codes deleted, the personal fields of the dossier and of its events replaced
    (`Dossier.PERSONAL_FIELDS`, `DossierEvent.scrubbed`), the client unlinked. Who acted stays
    when it was staff (`staff_ids`); a client's or another person's name goes."""
    client_id = dossier.client_id
    _files_destroy(
        dossier, why=f"anonymisation du dossier {dossier.number}", actor_label=actor_label
    )
    dossier.link_codes.all().delete()
    events = list(DossierEvent.objects.filter(dossier=dossier))
    for event in events:
        event.scrub(client_id=client_id, staff_ids=staff_ids)
    DossierEvent.objects.bulk_update(events, list(DossierEvent.PERSONAL_FIELDS))
    changed = dossier.anonymize()
    dossier.version += 1
    dossier.save(update_fields=[*changed, "version"])
    access_log_system_entry(
        action=AccessAction.ANONYMIZE,
        subject_kind=SubjectKind.DOSSIER,
        why=why,
        actor_label=actor_label,
        subject_id=dossier.pk,
        subject_number=dossier.number,
        person=client_id,
    )


def dossier_destroy(*, dossier: Dossier, why: str, actor_label: str) -> None:
    """Destroy a dossier, its history and its files. In a savepoint of its own: when another
    record still refers to it (ProtectedError), only this dossier's destruction is undone."""
    pk, number, client_id = dossier.pk, dossier.number, dossier.client_id
    with transaction.atomic():
        _files_destroy(dossier, why=f"destruction du dossier {number}", actor_label=actor_label)
        DossierEvent.objects.filter(dossier=dossier).delete()
        dossier.delete()
        access_log_system_entry(
            action=AccessAction.DESTROY,
            subject_kind=SubjectKind.DOSSIER,
            why=why,
            actor_label=actor_label,
            subject_id=pk,
            subject_number=number,
            person=client_id,
        )
