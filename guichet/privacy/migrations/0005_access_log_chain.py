"""The access log's tamper evidence and the role-checked guards (guichet/audit/chain.py,
guichet/audit/db.py, guichet/append_only.py).

Adds the chain's columns and its lane heads, seals the rows already there in lane 0 (id order),
then puts the guards back: on PostgreSQL, the access log's trigger function now checks the
role (owner) before it honours a purge's cutoff, and the steps of requests get the shared
append-only guard; on SQLite, the steps of requests now refuse DELETE too.
"""

from django.db import migrations, models

from guichet import append_only
from guichet.audit import chain
from guichet.audit.db import PG_GUARD, SQLITE_GUARD

LOG = "privacy_accesslog"
STEPS = "privacy_inforequestevent"


def seal(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {LOG} DISABLE TRIGGER accesslog_append_only")
    elif vendor == "sqlite":
        # Adding the columns rebuilt the table, without its triggers: they come back below.
        schema_editor.execute("DROP TRIGGER IF EXISTS accesslog_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS accesslog_no_delete")
    AccessLog = apps.get_model("privacy", "AccessLog")
    AccessLogChain = apps.get_model("privacy", "AccessLogChain")
    key = chain.chain_key()
    previous, last_id = chain.GENESIS, None
    at_previous = chain.SEALED_FIELDS.index("previous_hash")
    update = f"UPDATE {LOG} SET previous_hash = %s, row_hash = %s WHERE id = %s"
    rows = AccessLog.objects.order_by("id").values_list("id", *chain.SEALED_FIELDS)
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for row_id, *values in rows.iterator(chunk_size=2000):
            values[at_previous] = previous
            row_hash = chain.digest(values, key)
            batch.append((previous, row_hash, row_id))
            previous, last_id = row_hash, row_id
            if len(batch) >= 2000:
                cursor.executemany(update, batch)
                batch.clear()
        if batch:
            cursor.executemany(update, batch)
    for lane in range(chain.LANES):
        AccessLogChain.objects.create(
            lane=lane,
            last_id=last_id if lane == 0 else None,
            last_hash=previous if lane == 0 else chain.GENESIS,
        )
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {LOG} ENABLE TRIGGER accesslog_append_only")
        schema_editor.execute(PG_GUARD, params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS inforequestevent_append_only ON {STEPS}")
    elif vendor == "sqlite":
        for sql in SQLITE_GUARD:
            schema_editor.execute(sql)
        schema_editor.execute("DROP TRIGGER IF EXISTS inforequestevent_no_update")
    append_only.install_guard(schema_editor, STEPS)


def unseal(apps, schema_editor):
    append_only.remove_guard(schema_editor, STEPS)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_info_request_events_append_only")]
    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="lane",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="file de chaînage"),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="empreinte précédente"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslog",
            name="row_hash",
            field=models.CharField(default="", max_length=64, verbose_name="empreinte"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslog",
            name="checkpoint",
            field=models.TextField(blank=True, verbose_name="point de contrôle"),
        ),
        migrations.CreateModel(
            name="AccessLogChain",
            fields=[
                (
                    "lane",
                    models.PositiveSmallIntegerField(
                        primary_key=True, serialize=False, verbose_name="file de chaînage"
                    ),
                ),
                (
                    "last_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="dernière entrée"),
                ),
                ("last_hash", models.CharField(max_length=64, verbose_name="dernière empreinte")),
            ],
            options={
                "verbose_name": "tête de chaîne du journal des accès",
                "verbose_name_plural": "têtes de chaîne du journal des accès",
            },
        ),
        migrations.RunPython(seal, unseal),
    ]
