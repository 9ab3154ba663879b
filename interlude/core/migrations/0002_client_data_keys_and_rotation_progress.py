# Per-client data keys (envelope encryption) and resumable rotation progress (ADR 0017).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_idempotency_record'),
        ('practices', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClientDataKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key_id', models.CharField(max_length=32, unique=True)),
                ('wrapped', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('destroyed_at', models.DateTimeField(blank=True, null=True)),
                ('client', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='data_key', to='practices.client')),
            ],
        ),
        migrations.CreateModel(
            name='KeyRotationProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task', models.CharField(max_length=120)),
                ('target', models.CharField(max_length=40)),
                ('last_pk', models.BigIntegerField(default=0)),
                ('rows_changed', models.BigIntegerField(default=0)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('task', 'target'), name='core_rotation_progress_unique')],
            },
        ),
    ]
