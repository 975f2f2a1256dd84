"""The complaint history's database guard (guichet/append_only.py)."""

from django.db import migrations

from guichet import append_only

TABLE = "complaints_complaintevent"


def up(apps, schema_editor):
    append_only.install_guard(schema_editor, TABLE)


def down(apps, schema_editor):
    append_only.remove_guard(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_complaints_and_comments")]
    operations = [migrations.RunPython(up, down)]
