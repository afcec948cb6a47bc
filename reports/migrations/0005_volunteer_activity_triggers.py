"""Triggers that keep reports_volunteeractivity exact (see reports/activity.py), and its backfill
from the sign-ups; PostgreSQL only."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import activity

    with schema_editor.connection.cursor() as cursor:
        # No sign-up changes between the backfill and the triggers taking over.
        cursor.execute("LOCK TABLE events_signup IN SHARE ROW EXCLUSIVE MODE")
        # The sign-ups' part alone: care/'s tables may not exist yet; 0017 adds targeted help.
        cursor.execute(activity.install_sql(care=False))
        cursor.execute(activity.rebuild_sql(care=False))


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import activity

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(activity.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_volunteer_activity"),
        ("events", "0006_area_point"),
        ("volunteers", "0010_roster_import"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
