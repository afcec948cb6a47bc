"""The sign-ups' month summary (see reports/summary.py): its table, the trigger on the day
summary's rows that keeps it, and its backfill from the day rows; the trigger PostgreSQL only."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import summary

    with schema_editor.connection.cursor() as cursor:
        # No day row changes between the backfill and the trigger taking over.
        cursor.execute(f"LOCK TABLE {summary.TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(summary.month_install_sql())
        cursor.execute(summary.month_rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(summary.MONTH_UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_shift_weekend_starts"),
        ("reports", "0014_visit_day_summary"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignupMonthSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("signups", models.IntegerField(default=0)),
                ("confirmed", models.IntegerField(default=0)),
                ("waitlisted", models.IntegerField(default=0)),
                ("cancelled", models.IntegerField(default=0)),
                ("attended", models.IntegerField(default=0)),
                ("no_show", models.IntegerField(default=0)),
                ("hours", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="events.campaign",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["month", "campaign"], name="signup_month_month")],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "month"), name="signup_month_key")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
