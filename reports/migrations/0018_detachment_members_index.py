"""The dashboard's detachments table reads every detachment's people at once (members, minors,
and their sign-ups: selectors._detachment_figures): an index of the people who have a
detachment, with the columns those reads need, answers them from the index alone (~60 pages)
where the table's rows were read (~6 000 pages at national scale, for one person in seven).
Only the reports read by it, so it is kept here beside the reports' other objects on that app's
tables (their triggers); PostgreSQL only, like them."""

from typing import Any

from django.db import migrations

INDEX = "reports_detachment_members"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON volunteers_volunteer (detachment_id)"
            " INCLUDE (id, birth_date, anonymized_at) WHERE detachment_id IS NOT NULL"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0017_volunteer_activity_care"),
        ("volunteers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
