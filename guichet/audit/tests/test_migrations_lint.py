"""The expand/contract rule on migrations (guichet/migrations_lint.py)."""

import pytest
from django.db import models
from django.db.migrations import operations
from django.db.migrations.state import ModelState, ProjectState

from guichet.migrations_lint import ALLOWED_MIGRATIONS, findings, unsafe
from guichet.testing import run_command


def state() -> ProjectState:
    project = ProjectState()
    project.add_model(
        ModelState(
            "dossiers",
            "Thing",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("note", models.TextField(null=True)),
                ("code", models.CharField(max_length=10)),
            ],
        )
    )
    return project


@pytest.mark.parametrize(
    ("operation", "why"),
    [
        (operations.RemoveField("thing", "code"), "supprime une colonne"),
        (operations.DeleteModel("Thing"), "supprime une table"),
        (operations.RenameField("thing", "code", "key"), "renomme une colonne"),
        (operations.RenameModel("Thing", "Other"), "renomme une table"),
        (
            operations.AlterField("thing", "note", models.TextField()),
            "rend une colonne NOT NULL sans valeur par défaut",
        ),
        (
            operations.AddField("thing", "kind", models.CharField(max_length=5, default="a")),
            "ajoute une colonne NOT NULL sans valeur par défaut dans la base",
        ),
    ],
)
def test_operations_that_break_the_previous_release(
    operation: operations.base.Operation, why: str
) -> None:
    found = unsafe(operation, state(), "dossiers")
    assert found is not None and found.startswith(why)


@pytest.mark.parametrize(
    "operation",
    [
        operations.AddField("thing", "extra", models.TextField(null=True)),
        operations.AddField("thing", "kind", models.CharField(max_length=5, db_default="a")),
        operations.AlterField("thing", "note", models.TextField(default="")),
        operations.AlterField("thing", "note", models.TextField(null=True, blank=True)),
        operations.AlterField("thing", "code", models.CharField(max_length=20)),
        operations.AddIndex("thing", models.Index(fields=["code"], name="thing_code")),
        operations.CreateModel("New", [("id", models.BigAutoField(primary_key=True))]),
    ],
)
def test_operations_that_only_expand(operation: operations.base.Operation) -> None:
    assert unsafe(operation, state(), "dossiers") is None


def test_the_projects_migrations_hold_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_command(capsys, "migrations-lint")
    assert run.code == 0
    assert run.out == "Migrations : rien qui casse la version précédente.\n"


def test_an_exception_is_named_with_its_reason() -> None:
    flagged = sorted({(f.app, f.migration) for f in findings(allowed={})})
    assert flagged == sorted(ALLOWED_MIGRATIONS)
    assert all(len(reason) > 20 for reason in ALLOWED_MIGRATIONS.values())
