"""Re-encrypt every stored IIN with the current key (the first of IIN_ENCRYPTION_KEYS), and with
--rehash recompute the lookup hashes under the current IIN_HASH_KEY. One transaction: a failure
changes nothing. See volunteers/crypto.py for the rotation steps."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from volunteers import crypto

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt stored IINs with the first IIN_ENCRYPTION_KEYS key (--rehash: recompute their hashes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash", action="store_true", help="Also recompute iin_hash under IIN_HASH_KEY."
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        done = 0
        last_id = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT id, iin FROM volunteers_volunteer WHERE iin IS NOT NULL AND id > %s ORDER BY id LIMIT %s",
                    [last_id, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last_id = rows[-1][0]
                if options["rehash"]:
                    updates = [
                        (crypto.rotate(token), crypto.iin_digest(crypto.decrypt(token)), pk)
                        for pk, token in rows
                    ]
                    cursor.executemany(
                        "UPDATE volunteers_volunteer SET iin = %s, iin_hash = %s WHERE id = %s", updates
                    )
                else:
                    cursor.executemany(
                        "UPDATE volunteers_volunteer SET iin = %s WHERE id = %s",
                        [(crypto.rotate(token), pk) for pk, token in rows],
                    )
                done += len(rows)
        self.stdout.write(f"{done} IINs re-encrypted{' and rehashed' if options['rehash'] else ''}.")
