"""Triggers that keep reports_signupdaysummary exact (see reports/summary.py); PostgreSQL only."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE events_signup IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(summary.install_sql())
        cursor.execute(summary.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(summary.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_signup_day_summary"),
        ("events", "0006_area_point"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
