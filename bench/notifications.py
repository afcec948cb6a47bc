"""Notifications at scale, on PostgreSQL: how fast the sweep claims and sends, and what the claim
query costs when the table holds a million messages.

    DATABASE_URL=postgres://…/volunteer_net_bench_notify python bench/notifications.py
    # optional: --per-task 5000 with REDIS_URL set compares one Celery task per message

1. 100,000 due messages are claimed and sent by one sweep (`messages_send_due`) in one process,
   through the real rendering (subject, text, HTML in kk/ru/en) and Django's locmem e-mail
   backend: messages per second.
2. The table is filled to 1,000,000 rows (sent history plus a few hundred due) and the claim
   query is run under EXPLAIN ANALYZE.
3. With --per-task N and a Redis: N messages sent by queueing one `send_message` task each to a
   real worker, to compare with the in-task batches of the sweep.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")
# DEBUG off: with it on, Django keeps every query in memory, which skews a 100k-message run.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
# Bench-only keys of the IIN at rest (volunteers/crypto.py); production sets its own.
os.environ.setdefault("IIN_ENCRYPTION_KEYS", "YmVuY2gtb25seS1paW4ta2V5LTAxMjM0NTY3ODlhYmM=")
os.environ.setdefault("IIN_HASH_KEY", "bench-only-iin-hash-key")
os.environ["EMAIL_BACKEND"] = "bench.notifications.CountingLocmemBackend"

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.core.mail.backends import locmem  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


class CountingLocmemBackend(locmem.EmailBackend):
    """What Django's SMTP backend does with each message short of the network: build the MIME
    message and serialise it to the bytes it would send. (The locmem backend's own deep copy of
    every message into an outbox is a test convenience that production does not pay for.)"""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        count = 0
        for message in messages:
            if message.recipients():
                message.message().as_bytes(linesep="\r\n")
                count += 1
        mail.bench_sent = getattr(mail, "bench_sent", 0) + count  # type: ignore[attr-defined]
        return count


def sql(statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def ensure_volunteers(count: int) -> None:
    from regions.models import Region
    from volunteers.models import Volunteer

    have = Volunteer.objects.count()
    if have >= count:
        return
    regions = list(Region.objects.all())
    languages = ["kk", "ru", "en"]
    batch = []
    for n in range(have, count):
        volunteer = Volunteer(
            last_name=f"Бенчмарков{n}",
            first_name="Ерлан",
            email=f"bench{n}@example.kz",
            phone=f"+7701{n:07d}",
            region=regions[n % len(regions)],
            preferred_language=languages[n % 3],
        )
        volunteer.refresh_search_fields()
        batch.append(volunteer)
    Volunteer.objects.bulk_create(batch, batch_size=2000)


INSERT = """
INSERT INTO notifications_message
    (recipient_id, recipient_email, recipient_phone, kind, subject_type, subject_id, channel, language,
     context, due_at, next_attempt_at, valid_until, status, attempts, last_error, result, sent_at, created_at)
SELECT v.id, '', '', %(kind)s, 'bench.subject', %(offset)s + g, 'email', v.preferred_language,
       jsonb_build_object('title', 'Сенбілік ' || (g / %(per_shift)s), 'starts_at', '2026-05-20T10:00:00+05:00',
                          'place', 'Орталық саябақ'),
       now() - interval '1 minute', now() - interval '1 minute', NULL, %(status)s, 0, '', '',
       CASE WHEN %(status)s = 'sent' THEN now() END, now()
FROM generate_series(1, %(count)s) AS g
JOIN (SELECT id, preferred_language, row_number() OVER (ORDER BY id) - 1 AS n FROM volunteers_volunteer) v
  ON v.n = g %% %(people)s
"""


def insert_messages(
    count: int, *, status: str, offset: int, people: int, per_shift: int = 1, kind: str = "shift_reminder_2h"
) -> None:
    """`count` messages to `people` volunteers; `per_shift` consecutive ones share one shift (the
    same text but for the name), as the reminders of a shift's sign-ups do."""
    params = {"kind": kind, "offset": offset, "count": count, "status": status, "people": people}
    with connection.cursor() as cursor:
        cursor.execute(INSERT, {**params, "per_shift": per_shift})
    sql("ANALYZE notifications_message")


def bench_sweep(count: int, people: int, per_shift: int, processes: int = 1) -> float:
    from notifications import services

    sql("TRUNCATE notifications_message")
    insert_messages(count, status="pending", offset=0, people=people, per_shift=per_shift)
    if processes > 1:
        return bench_parallel(count, per_shift, processes)
    mail.bench_sent = 0  # type: ignore[attr-defined]
    started, cpu_started = time.perf_counter(), time.process_time()
    backend_cpu = postgres_cpu_seconds()
    report = services.messages_send_due(max_seconds=3600)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    backend_cpu = postgres_cpu_seconds() - backend_cpu
    assert report.sent == count == mail.bench_sent, (report, mail.bench_sent)  # type: ignore[attr-defined]
    left = sql("SELECT count(*) FROM notifications_message WHERE status <> 'sent'")[0][0]
    assert left == 0, left
    rate = count / elapsed
    print(
        f"sweep, 1 process, {per_shift} recipient(s) per text: {count} messages in {elapsed:.1f} s"
        f" = {rate:,.0f} messages/s ({report.batches} batches); CPU per message: sweep process"
        f" {cpu / count * 1e6:,.0f} µs, its PostgreSQL backend {backend_cpu / count * 1e6:,.0f} µs"
        f" → {count / (cpu + backend_cpu):,.0f} messages per CPU-second; load average {os.getloadavg()[0]:.1f}"
    )
    return rate


def postgres_cpu_seconds() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (same host only)."""
    pid = sql("SELECT pg_backend_pid()")[0][0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_parallel(count: int, per_shift: int, processes: int) -> float:
    """Several sweeps at once (as several workers would run them), each its own process."""
    code = (
        "import sys; sys.argv = ['x']; import bench.notifications as b; "
        "from notifications import services; r = services.messages_send_due(max_seconds=3600); print(r.sent)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    sent = sum(int(p.communicate()[0].strip().splitlines()[-1]) for p in procs)
    elapsed = time.perf_counter() - started
    assert sent == count, (sent, count)
    rate = count / elapsed
    print(
        f"sweep, {processes} processes, {per_shift} recipient(s) per text: {count} messages in {elapsed:.1f} s"
        f" = {rate:,.0f} messages/s (process start-up included)"
    )
    return rate


def bench_claim_query(total: int, due: int, people: int) -> None:
    from django.conf import settings

    sql("TRUNCATE notifications_message")
    insert_messages(total - due, status="sent", offset=0, people=people)
    insert_messages(due, status="pending", offset=total, people=people)
    sql("VACUUM ANALYZE notifications_message")
    rows = sql("SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM notifications_message")[0]
    print(f"claim query: {rows[0]:,} rows in the table, {rows[1]:,} of them pending and due")
    from notifications.models import Message

    qs = (
        Message.objects.select_for_update(skip_locked=True)
        .filter(status="pending", next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[: settings.NOTIFICATIONS_BATCH_SIZE]
    )
    from django.db import transaction

    with transaction.atomic():
        query, params = qs.query.sql_with_params()
        plan = sql(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
    print("\n".join(f"    {line[0]}" for line in plan))


def bench_per_task(count: int, people: int) -> None:
    """One send_message task per message through Redis to a real worker (prefork, 2 processes)."""
    from notifications import tasks

    assert os.environ.get("REDIS_URL"), "--per-task needs REDIS_URL"
    sql("TRUNCATE notifications_message")
    insert_messages(count, status="pending", offset=0, people=people)
    ids = [row[0] for row in sql("SELECT id FROM notifications_message ORDER BY id")]
    env = {
        **os.environ,
        "EMAIL_BACKEND": "bench.notifications.CountingLocmemBackend",
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "volunteer_net", "worker", "-c", "2", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@localhost"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        time.sleep(5)
        started = time.perf_counter()
        for message_id in ids:
            tasks.send_message.delay(message_id)
        while sql("SELECT count(*) FROM notifications_message WHERE status <> 'sent'")[0][0]:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(f"one task per message: {count} messages in {elapsed:.1f} s = {count / elapsed:,.0f} messages/s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=20_000, help="messages for the other variants")
    parser.add_argument("--table-rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--per-shift", type=int, default=50, help="recipients sharing one text")
    parser.add_argument("--processes", type=int, default=2, help="also time this many sweeps at once")
    parser.add_argument("--per-task", type=int, default=0, help="also time N messages sent one task each")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL: set DATABASE_URL"
    call_command("migrate", verbosity=0)
    ensure_volunteers(args.people)
    bench_sweep(args.messages, args.people, args.per_shift)
    if args.compare:
        bench_sweep(args.compare, args.people, 1)
        if args.processes > 1:
            bench_sweep(args.compare, args.people, args.per_shift, processes=args.processes)
    bench_claim_query(args.table_rows, 500, args.people)
    if args.per_task:
        bench_per_task(args.per_task, args.people)
    sql("TRUNCATE notifications_message")


if __name__ == "__main__":
    main()
