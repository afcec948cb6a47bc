"""Flags made before the pair constraints of 0006: in their own migration (and transaction), as
PostgreSQL refuses to alter a table with row changes still waiting for their deferred checks."""

from django.db import migrations


def order_pairs(apps, schema_editor):
    """Flags made before this migration: the later record first, one row per pair, and none
    without the record on file (the pair constraints of 0006 need it)."""
    PossibleDuplicate = apps.get_model("volunteers", "PossibleDuplicate")
    PossibleDuplicate.objects.filter(existing__isnull=True).delete()
    seen = set()
    for flag in PossibleDuplicate.objects.order_by("id"):
        pair = (max(flag.volunteer_id, flag.existing_id), min(flag.volunteer_id, flag.existing_id))
        if pair in seen or pair[0] == pair[1]:
            flag.delete()
            continue
        seen.add(pair)
        if (flag.volunteer_id, flag.existing_id) != pair:
            flag.volunteer_id, flag.existing_id = pair
            flag.save(update_fields=["volunteer", "existing"])


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0004_guardian_consents'),
    ]

    operations = [
        migrations.RunPython(order_pairs, migrations.RunPython.noop),
    ]
