"""Targeted help counts its volunteer active (reports/activity.py): the triggers on care's
assignments and help requests, the recount that now reads done assignments too, and the table
recounted from the sign-ups and assignments on file; PostgreSQL only, like 0005."""

from typing import Any

from django.db import migrations

# No sign-up, assignment or request's region changes between the recount and the triggers taking
# over (the order of the other recounts' locks: sign-ups first).
LOCK = "LOCK TABLE events_signup, care_helprequest, care_assignment IN SHARE ROW EXCLUSIVE MODE"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import activity

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LOCK)
        cursor.execute(activity.install_sql())
        cursor.execute(activity.rebuild_sql())


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports import activity

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LOCK)
        cursor.execute(activity.CARE_UNINSTALL_SQL)
        cursor.execute(activity.install_sql(care=False))
        cursor.execute(activity.rebuild_sql(care=False))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0016_forget_erased_names_and_search_text"),
        ("care", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
