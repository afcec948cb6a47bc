"""The API tokens issued so far were kept by DRF's authtoken app, each key in clear in
`authtoken_token`. Each one moves to accounts.ApiToken as the digest of its key, with its owner
and the time it was issued: every client keeps working with the key it holds, and its
TOKEN_TTL_HOURS run on from the same start. The keys in clear are then deleted.

The authtoken app is no longer installed, so its table is read by name, and only where it
exists (a database made since never had it). The emptied table is left to that app's
migration history, which still records it."""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"


def _aware(value: object) -> datetime.datetime:
    # PostgreSQL answers an aware datetime; SQLite, which keeps UTC without an offset, a naive
    # one (or the text, read without Django's converters).
    moment = parse_datetime(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime.datetime)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def keys_to_digests(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    # Quoted the standard way, which PostgreSQL and SQLite both read.
    with connection.cursor() as cursor:
        cursor.execute('SELECT "key", "user_id", "created" FROM "authtoken_token"')
        rows = cursor.fetchall()
    # The same digest as accounts.models.api_token_digest, written out here: a migration must
    # go on computing what it computed the day it ran.
    ApiToken.objects.using(connection.alias).bulk_create(
        [
            ApiToken(
                user_id=user_id, digest=hashlib.sha256(key.encode()).hexdigest(), created=_aware(created)
            )
            for key, user_id, created in rows
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "authtoken_token"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_token"),
    ]

    # Backwards there is nothing to give back: a key cannot be recovered from its digest, and
    # the tokens go with the table of 0005; their clients log in again.
    operations = [migrations.RunPython(keys_to_digests, migrations.RunPython.noop)]
