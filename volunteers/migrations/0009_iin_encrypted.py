"""The IIN encrypted at rest, with a keyed hash for uniqueness and lookup (volunteers/crypto.py).

Existing IINs are encrypted in place, in the migration's transaction; going back decrypts them.
"""

from django.db import migrations

import volunteers.fields


def encrypt_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from volunteers import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, iin FROM volunteers_volunteer WHERE iin IS NOT NULL")
        rows = cursor.fetchall()
        cursor.executemany(
            "UPDATE volunteers_volunteer SET iin = %s, iin_hash = %s WHERE id = %s",
            [(crypto.encrypt(iin), crypto.iin_digest(iin), pk) for pk, iin in rows],
        )


def decrypt_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from volunteers import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, iin FROM volunteers_volunteer WHERE iin IS NOT NULL")
        rows = cursor.fetchall()
        cursor.executemany(
            "UPDATE volunteers_volunteer SET iin = %s, iin_hash = NULL WHERE id = %s",
            [(crypto.decrypt(token), pk) for pk, token in rows],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0008_area_point"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="volunteer",
            name="volunteer_iin_12_digits",
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="iin",
            field=volunteers.fields.EncryptedIinField(blank=True, max_length=200, null=True, verbose_name="IIN"),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="iin_hash",
            field=volunteers.fields.IinHashField(null=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="volunteer",
            name="iin_hash",
            field=volunteers.fields.IinHashField(null=True, unique=True),
        ),
    ]
