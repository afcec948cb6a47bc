"""Demo message history at any size: a year of reminders and confirmations already sent, and the
reminders of the coming weeks waiting for their time. Written by PostgreSQL itself
(generate_series), so the national benchmark's million rows take seconds, not a Python loop.
No row is due now: the sweep of a freshly seeded database has nothing to send."""

from __future__ import annotations

from django.db import connection, transaction

from .models import Message

# Nine in ten sent, a few failed or expired; the rest pending but due only in the weeks ahead.
_INSERT = """
INSERT INTO notifications_message
    (recipient_id, recipient_email, recipient_phone, kind, subject_type, subject_id, channel, language,
     context, due_at, next_attempt_at, valid_until, status, attempts, last_error, result, sent_at,
     created_at)
SELECT v.id, '', '', (%(kinds)s::text[])[1 + g %% %(kind_count)s], 'demo.history', g,
       CASE WHEN g %% 5 = 0 THEN 'sms' ELSE 'email' END, v.preferred_language,
       jsonb_build_object('title', 'Сенбілік ' || (g / 50), 'place', 'Орталық саябақ'),
       t.due, t.due, NULL, t.status, CASE WHEN t.status = 'pending' THEN 0 ELSE 1 END,
       CASE WHEN t.status = 'failed' THEN 'mailbox unavailable' ELSE '' END, '',
       CASE WHEN t.status = 'sent' THEN t.due END, t.due - interval '1 day'
FROM generate_series(1, %(count)s) AS g
JOIN (SELECT id, preferred_language, row_number() OVER (ORDER BY id) - 1 AS n
      FROM volunteers_volunteer WHERE anonymized_at IS NULL) v
  ON v.n = g %% %(people)s
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 100 < 92 THEN 'sent' WHEN g %% 100 < 95 THEN 'failed'
                WHEN g %% 100 < 97 THEN 'expired' ELSE 'pending' END AS status,
           CASE WHEN g %% 100 >= 97 THEN now() + interval '1 hour' + (g %% 720) * interval '1 hour'
                ELSE now() - interval '1 hour' - (g %% 8760) * interval '1 hour' END AS due
) t
"""

KINDS = [
    Message.Kind.SIGNUP_CONFIRMED,
    Message.Kind.SHIFT_REMINDER_24H,
    Message.Kind.SHIFT_REMINDER_2H,
    Message.Kind.VISIT_BOOKED,
    Message.Kind.VISIT_REMINDER_24H,
    Message.Kind.BROADCAST,
]


@transaction.atomic
def seed_messages(*, count: int) -> int:
    """`count` messages spread over the volunteers; returns how many the table holds."""
    if count <= 0 or connection.vendor != "postgresql":
        return Message.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM volunteers_volunteer WHERE anonymized_at IS NULL")
        people = cursor.fetchone()[0]
        if people:
            cursor.execute(
                _INSERT,
                {
                    "kinds": [str(k) for k in KINDS],
                    "kind_count": len(KINDS),
                    "count": count,
                    "people": people,
                },
            )
    return Message.objects.count()
