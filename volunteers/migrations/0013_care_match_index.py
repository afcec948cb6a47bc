"""The matching index of targeted help: a request's suggestions walk a region's active people by
name with the columns the ranking reads (care.selectors), stopping at ten."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("detachments", "0002_curator_invitation"),
        ("regions", "0002_load_regions"),
        ("volunteers", "0012_roster_region_name_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="volunteer",
            index=models.Index(
                condition=models.Q(("anonymized_at__isnull", True), ("status", "active")),
                fields=["region", "last_name", "id"],
                include=(
                    "locality",
                    "birth_date",
                    "available_weekdays",
                    "available_evenings",
                    "available_weekends",
                ),
                name="volunteer_care_match",
            ),
        ),
    ]
