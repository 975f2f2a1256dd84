"""The contact centre's history gets the database guard of every append-only table
(guichet/append_only.py)."""

from django.db import migrations

from guichet import append_only

TABLE = "contact_contactevent"


def up(apps, schema_editor):
    append_only.install_guard(schema_editor, TABLE)


def down(apps, schema_editor):
    append_only.remove_guard(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("contact", "0001_calls_voice_mail_enquiries")]
    operations = [migrations.RunPython(up, down)]
