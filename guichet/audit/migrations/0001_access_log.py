"""The access log moves from the privacy app to the audit app, its tables unchanged
(`privacy_accesslog`, `privacy_accesslogchain`): the models change app in Django's state only,
and the content types follow. This depends on the privacy migration that last changed the
tables, the one place where the audit app's history follows a higher app's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_types(apps, schema_editor, *, old="privacy", new="audit"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("accesslog", "accesslogchain"):
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_back(apps, schema_editor):
    content_types(apps, schema_editor, old="audit", new="privacy")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0005_access_log_chain"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AccessLogChain',
                    fields=[
                        ('lane', models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='file de chaînage')),
                        ('last_id', models.BigIntegerField(blank=True, null=True, verbose_name='dernière entrée')),
                        ('last_hash', models.CharField(max_length=64, verbose_name='dernière empreinte')),
                    ],
                    options={
                        'verbose_name': 'tête de chaîne du journal des accès',
                        'verbose_name_plural': 'têtes de chaîne du journal des accès',
                        'db_table': 'privacy_accesslogchain',
                    },
                ),
                migrations.CreateModel(
                    name='AccessLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='le')),
                        ('actor_label', models.CharField(blank=True, max_length=120, verbose_name='par (libellé)')),
                        ('action', models.CharField(choices=[('read', 'Consultation'), ('change', 'Modification'), ('export', 'Exportation'), ('destroy', 'Destruction'), ('anonymize', 'Anonymisation'), ('account', 'Événement du compte')], max_length=20, verbose_name='action')),
                        ('subject_kind', models.CharField(choices=[('dossier', 'Dossier'), ('document', 'Document'), ('letter', 'Lettre'), ('person', 'Compte client'), ('incident', 'Incident de confidentialité'), ('legal_hold', 'Conservation légale'), ('access_log', 'Journal des accès'), ('info_request', "Demande d'accès ou de rectification")], max_length=20, verbose_name='objet')),
                        ('subject_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name="identifiant de l'objet")),
                        ('subject_number', models.CharField(blank=True, max_length=20, verbose_name='numéro de dossier')),
                        ('why', models.CharField(max_length=200, verbose_name='motif')),
                        ('path', models.CharField(blank=True, max_length=300, verbose_name='adresse')),
                        ('lane', models.PositiveSmallIntegerField(default=0, verbose_name='file de chaînage')),
                        ('previous_hash', models.CharField(max_length=64, verbose_name='empreinte précédente')),
                        ('row_hash', models.CharField(max_length=64, verbose_name='empreinte')),
                        ('checkpoint', models.TextField(blank=True, verbose_name='point de contrôle')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='par')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='personne concernée')),
                    ],
                    options={
                        'verbose_name': 'entrée du journal des accès',
                        'verbose_name_plural': 'journal des accès',
                        'db_table': 'privacy_accesslog',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['person', 'id'], name='accesslog_person'), models.Index(fields=['subject_number', 'id'], name='accesslog_number'), models.Index(fields=['actor', 'id'], name='accesslog_actor'), models.Index(fields=['at'], name='accesslog_at')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types, content_types_back),
    ]
