"""The access log's models leave the privacy app for the audit app (audit/0001), tables
unchanged: Django's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0005_access_log_chain"),
        ("audit", "0001_access_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='accesslog',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='accesslog',
                    name='person',
                ),
                migrations.DeleteModel(
                    name='AccessLogChain',
                ),
                migrations.DeleteModel(
                    name='AccessLog',
                ),
            ],
            database_operations=[],
        ),
    ]
