"""The front-office visits summary (see reports/visit_summary.py): its table, the triggers on
front_offices_visit that keep it and its backfill from the visits; the triggers PostgreSQL only."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import visit_summary

    with schema_editor.connection.cursor() as cursor:
        # No visit changes between the backfill and the triggers taking over.
        cursor.execute("LOCK TABLE front_offices_visit IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(visit_summary.install_sql())
        cursor.execute(visit_summary.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import visit_summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(visit_summary.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("front_offices", "0002_opening_hours_slots_visits"),
        ("reports", "0013_care_summary_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitDaySummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("booked", models.IntegerField(default=0)),
                ("arrived", models.IntegerField(default=0)),
                ("no_show", models.IntegerField(default=0)),
                ("cancelled", models.IntegerField(default=0)),
                ("walk_in", models.IntegerField(default=0)),
                ("evening", models.IntegerField(default=0)),
                ("weekend", models.IntegerField(default=0)),
                ("flexible", models.IntegerField(default=0)),
                ("purpose_consultation", models.IntegerField(default=0)),
                ("purpose_registration", models.IntegerField(default=0)),
                ("purpose_project_support", models.IntegerField(default=0)),
                ("purpose_certificate", models.IntegerField(default=0)),
                ("purpose_transport", models.IntegerField(default=0)),
                ("purpose_other", models.IntegerField(default=0)),
                ("outcome_registered", models.IntegerField(default=0)),
                ("outcome_consulted", models.IntegerField(default=0)),
                ("outcome_certificate_issued", models.IntegerField(default=0)),
                ("outcome_transport_arranged", models.IntegerField(default=0)),
                ("outcome_project_helped", models.IntegerField(default=0)),
                ("outcome_referred", models.IntegerField(default=0)),
                ("outcome_other", models.IntegerField(default=0)),
                ("outcome_none", models.IntegerField(default=0)),
                (
                    "office",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="front_offices.frontoffice",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["day", "office"], name="visit_summary_day")],
                "constraints": [models.UniqueConstraint(fields=("office", "day"), name="visit_summary_key")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
