"""Help requests per region, Almaty day of intake and kind, by status, kept by triggers on
care_helprequest (see reports/requestsummary.py) and filled from the requests; the triggers and
the backfill on PostgreSQL only."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import requestsummary

    with schema_editor.connection.cursor() as cursor:
        # No request changes between the backfill and the triggers taking over.
        cursor.execute("LOCK TABLE care_helprequest IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(requestsummary.install_sql())
        cursor.execute(requestsummary.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import requestsummary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(requestsummary.UNINSTALL_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0001_initial'),
        ('regions', '0002_load_regions'),
        ('reports', '0010_registration_statement_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='HelpRequestDaySummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=20)),
                ('requests', models.IntegerField(default=0)),
                ('done', models.IntegerField(default=0)),
                ('open', models.IntegerField(default=0)),
                ('cannot_help', models.IntegerField(default=0)),
                ('cancelled', models.IntegerField(default=0)),
                ('region', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.region')),
            ],
            options={
                'indexes': [models.Index(fields=['day', 'region'], name='help_request_summary_day')],
                'constraints': [models.UniqueConstraint(fields=('region', 'day', 'kind'), name='help_request_summary_key')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
