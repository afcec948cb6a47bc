"""The day summary of targeted help's hours (models.CareDaySummary); 0013 fills it and installs
its triggers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('detachments', '0002_curator_invitation'),
        ('regions', '0002_load_regions'),
        ('reports', '0011_help_request_day_summary'),
    ]

    operations = [
        migrations.CreateModel(
            name='CareDaySummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('assignments', models.IntegerField(default=0)),
                ('hours', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                ('detachment', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='detachments.detachment')),
                ('region', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.region')),
            ],
            options={
                'indexes': [models.Index(fields=['day', 'region'], name='care_summary_day')],
                'constraints': [models.UniqueConstraint(fields=('region', 'day', 'detachment'), name='care_summary_key', nulls_distinct=False)],
            },
        ),
    ]
