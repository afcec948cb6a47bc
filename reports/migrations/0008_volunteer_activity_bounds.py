"""The first and last day of each activity row as stored generated columns (reports/activity.py
tests them before the multirange); PostgreSQL only, like the triggers that fill the table."""

from typing import Any

from django.db import migrations

ADD = """
ALTER TABLE reports_volunteeractivity
  ADD COLUMN first_day date GENERATED ALWAYS AS (lower(days)) STORED,
  ADD COLUMN last_day date GENERATED ALWAYS AS (upper(days) - 1) STORED;
"""

DROP = "ALTER TABLE reports_volunteeractivity DROP COLUMN first_day, DROP COLUMN last_day;"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_registration_summary_trigger")]

    operations = [migrations.RunPython(forwards, backwards)]
