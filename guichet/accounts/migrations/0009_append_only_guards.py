"""The two histories of accounts get the database guard every append-only table has
(guichet/append_only.py): who was given which role (AccessChange) and the language of service."""

from django.db import migrations

from guichet import append_only

TABLES = ("accounts_accesschange", "accounts_languageofservice")


def up(apps, schema_editor):
    for table in TABLES:
        append_only.install_guard(schema_editor, table)


def down(apps, schema_editor):
    for table in TABLES:
        append_only.remove_guard(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_staff_enrolment_code")]
    operations = [migrations.RunPython(up, down)]
