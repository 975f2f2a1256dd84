"""Expand/contract: every migration of Guichet must be safe to run while the previous release
still serves (docs/deployment.md, "Upgrades without losing a request").

A release migrates first, then restarts the web and the worker one by one: for a while the old
code runs on the new schema. So a migration may add (a table, a nullable column, a column with
a database default, an index), never take away or rename what the old code reads or writes.
Dropping or renaming is the *contract* step, in a later release than the code that stopped
using it. This module finds, in the project's own migrations, the operations that break that:

- RemoveField, DeleteModel: the old code still selects the column, the table;
- RenameField, RenameModel: the old code knows the old name;
- AlterField that makes a nullable column NOT NULL without a default: the old code inserts NULL;
- AddField of a NOT NULL column without a database default: the old code inserts no value.

A flagged operation is allowed only when ALLOWED names it with the reason (the contract step
of an expand done in an earlier release, or a migration that landed before any deployment).
`guichet migrations-lint` prints the others and exits 1; `make migrations-check` runs it.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.migrations import operations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

# (app label, migration name): why its flagged operations are safe. Everything up to the first
# production release landed before any deployment: no old code ever ran on its schema.
FIRST_RELEASE = "landed before the first production release: no older code runs on this schema"
ALLOWED_MIGRATIONS: dict[tuple[str, str], str] = {
    ("dossiers", "0003_identifiers_and_link_codes"): FIRST_RELEASE,
    ("privacy", "0005_access_log_chain"): FIRST_RELEASE,
    ("surveys", "0002_invitation_token_hash"): (
        "the surveys app arrives in the same release as this migration: no older code reads "
        "its tables"
    ),
}


@dataclass(frozen=True)
class Finding:
    app: str
    migration: str
    operation: str
    why: str

    def __str__(self) -> str:
        return f"{self.app}.{self.migration} : {self.operation} — {self.why}"


def _has_default(field: models.Field) -> bool:  # type: ignore[type-arg]
    return field.has_default() or getattr(field, "db_default", models.NOT_PROVIDED) is not (
        models.NOT_PROVIDED
    )


def unsafe(operation: Operation, before: ProjectState, app: str) -> str | None:
    """Why `operation` breaks the previous release's code, or None when it does not."""
    if isinstance(operation, operations.RemoveField):
        return "supprime une colonne que l'ancienne version lit encore"
    if isinstance(operation, operations.DeleteModel):
        return "supprime une table que l'ancienne version lit encore"
    if isinstance(operation, operations.RenameField):
        return "renomme une colonne que l'ancienne version nomme autrement"
    if isinstance(operation, operations.RenameModel):
        return "renomme une table que l'ancienne version nomme autrement"
    if isinstance(operation, operations.AlterField):
        old = before.models[app, operation.model_name_lower].fields.get(operation.name)
        new = operation.field
        if old is not None and old.null and not new.null and not _has_default(new):
            return "rend une colonne NOT NULL sans valeur par défaut"
    if isinstance(operation, operations.AddField):
        field = operation.field
        if not field.null and not field.many_to_many:
            if getattr(field, "db_default", models.NOT_PROVIDED) is models.NOT_PROVIDED:
                return "ajoute une colonne NOT NULL sans valeur par défaut dans la base"
    return None


def project_apps() -> list[str]:
    return [c.label for c in apps.get_app_configs() if c.name.startswith("guichet.")]


def findings(allowed: dict[tuple[str, str], str] | None = None) -> Iterator[Finding]:
    """Every unsafe operation of the project's migrations not listed in `allowed`."""
    allowed = ALLOWED_MIGRATIONS if allowed is None else allowed
    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    ours = set(project_apps())
    for app, name in _in_order(loader):
        if app not in ours:
            continue
        migration = loader.disk_migrations[app, name]
        state = graph.make_state(
            nodes=[(app, name)], at_end=False, real_apps=loader.unmigrated_apps
        )
        for operation in migration.operations:
            before = state.clone()
            operation.state_forwards(app, state)
            why = unsafe(operation, before, app)
            if why and (app, name) not in allowed:
                yield Finding(app, name, operation.describe(), why)


def _in_order(loader: MigrationLoader) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.append(node)
    return seen
