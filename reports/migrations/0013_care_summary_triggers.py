"""Triggers that keep reports_caredaysummary exact (see reports/care_summary.py) and its rows
counted from the assignments on file; PostgreSQL only, elsewhere the table stays empty and the
dashboard reads the assignments. A migration of its own: 0012's unique key, which the triggers'
upserts need, is only created at the end of that migration."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import care_summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE care_assignment IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(care_summary.install_sql())
        cursor.execute(care_summary.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import care_summary

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(care_summary.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0012_care_day_summary"),
        ("care", "0001_initial"),
        ("volunteers", "0010_roster_import"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
