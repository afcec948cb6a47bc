"""Notifications at scale, on PostgreSQL: how fast the sweep claims and sends, and what the claim
query costs when the table holds a million messages (the national bench database's history).

1. `sweep` due messages (100 000 at national scale) are claimed and sent by one sweep
   (`messages_send_due`) in one process, through the real rendering (subject, text, HTML in
   kk/ru/en) and bench/mail.py's counting backend: messages per second; then fewer, one text per
   recipient, and two sweeps at once.
2. A few hundred due messages are added to the seeded million and the claim query is run under
   EXPLAIN ANALYZE.
3. With --per-task N and a Redis: N messages sent by queueing one `send_message` task each to a
   real worker, to compare with the in-task batches of the sweep.

The messages the benchmark adds are removed again; the seeded history stays.

    make bench-notifications
    python bench/notifications.py --scale tenth --per-task 5000
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

ROOT = common.ROOT
GROUP = "Reminder sweep"
# Messages this benchmark adds carry this subject type; they go again at the end.
SUBJECT = "bench.subject"


def sql(statement: str, params: Any = ()) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# E-mail to people who read e-mail: the sweep picks the channel again when it sends, and an SMS
# reader's message would go by SMS, held at night by the quiet hours.
INSERT = """
INSERT INTO notifications_message
    (recipient_id, recipient_email, recipient_phone, kind, subject_type, subject_id, channel, language,
     context, due_at, next_attempt_at, valid_until, status, attempts, last_error, result, sent_at, created_at)
SELECT v.id, '', '', %(kind)s, %(subject)s, %(offset)s + g, 'email', v.preferred_language,
       jsonb_build_object('title', 'Сенбілік ' || (g / %(per_shift)s), 'starts_at', '2026-05-20T10:00:00+05:00',
                          'place', 'Орталық саябақ'),
       now() - interval '1 minute', now() - interval '1 minute', NULL, %(status)s, 0, '', '',
       CASE WHEN %(status)s = 'sent' THEN now() END, now()
FROM generate_series(1, %(count)s) AS g
JOIN (SELECT id, preferred_language, row_number() OVER (ORDER BY id) - 1 AS n FROM volunteers_volunteer
      WHERE email <> '' AND preferred_channel = 'email' AND anonymized_at IS NULL) v
  ON v.n = g %% %(people)s
"""


def insert_messages(
    count: int, *, status: str, offset: int, people: int, per_shift: int = 1, kind: str = "shift_reminder_2h"
) -> None:
    """`count` messages to `people` volunteers; `per_shift` consecutive ones share one shift (the
    same text but for the name), as the reminders of a shift's sign-ups do."""
    params = {"kind": kind, "offset": offset, "count": count, "status": status, "people": people}
    sql(INSERT, {**params, "per_shift": per_shift, "subject": SUBJECT})
    sql("ANALYZE notifications_message")


def set_aside_due() -> None:
    """Messages due now that are not the benchmark's — those the other groups' sign-ups and
    bookings queued, and seeded reminders whose time has come since the database was built —
    are marked sent, as a running sweep would have, so that each sweep sends exactly its own."""
    sql(
        "UPDATE notifications_message SET status = 'sent', sent_at = now() "
        "WHERE status IN ('pending', 'sending') AND next_attempt_at <= now() + interval '1 hour' "
        "AND subject_type <> %s",
        [SUBJECT],
    )


def remove_bench_messages() -> None:
    sql("DELETE FROM notifications_message WHERE subject_type = %s", [SUBJECT])


def bench_sweep(count: int, people: int, per_shift: int, processes: int = 1) -> common.Result:
    from django.core import mail

    from notifications import services

    remove_bench_messages()
    insert_messages(count, status="pending", offset=0, people=people, per_shift=per_shift)
    figure = f"sweep, {processes} process{'es' if processes > 1 else ''}, {per_shift} recipient(s) per text, {count} messages"
    if processes > 1:
        elapsed, note = bench_parallel(count, processes), "process start-up included"
    else:
        mail.bench_sent = 0  # type: ignore[attr-defined]
        started, cpu_started = time.perf_counter(), time.process_time()
        backend_cpu = postgres_cpu_seconds()
        report = services.messages_send_due(max_seconds=3600)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        backend_cpu = postgres_cpu_seconds() - backend_cpu
        assert report.sent == count == mail.bench_sent, (report, mail.bench_sent)  # type: ignore[attr-defined]
        note = (
            f"{report.batches} batches; CPU per message: sweep {cpu / count * 1e6:,.0f} µs, its PostgreSQL "
            f"backend {backend_cpu / count * 1e6:,.0f} µs → {count / (cpu + backend_cpu):,.0f} messages per "
            f"CPU-second; load average {os.getloadavg()[0]:.1f}"
        )
    left = sql(
        "SELECT count(*) FROM notifications_message WHERE subject_type = %s AND status <> 'sent'", [SUBJECT]
    )
    assert left[0][0] == 0, left
    remove_bench_messages()
    rate = count / elapsed
    result = common.Result(
        group=GROUP,
        figure=figure,
        value=rate,
        unit="messages/s",
        runs=1,
        target="≥ 2 000 messages/s",
        met=rate >= 2000,
        note=note,
    )
    common.print_result(result)
    return result


def postgres_cpu_seconds() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (same host only)."""
    pid = sql("SELECT pg_backend_pid()")[0][0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_parallel(count: int, processes: int) -> float:
    """Several sweeps at once (as several workers would run them), each its own process; the
    seconds until all of them are done."""
    code = (
        "from bench import common; common.setup_django(); "
        "from notifications import services; print(services.messages_send_due(max_seconds=3600).sent)"
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
    return elapsed


def bench_claim_query(due: int, people: int, repeat: int) -> common.Result:
    """The sweep's claim among the seeded history: EXPLAIN ANALYZE of its SELECT … FOR UPDATE
    SKIP LOCKED, `repeat` times."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from notifications.models import Message

    remove_bench_messages()
    insert_messages(due, status="pending", offset=0, people=people)
    rows = sql("SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM notifications_message")[0]
    qs = (
        Message.objects.select_for_update(skip_locked=True)
        .filter(status="pending", next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[: settings.NOTIFICATIONS_BATCH_SIZE]
    )
    timings, plan = [], []
    for _ in range(repeat + 1):
        with transaction.atomic():
            query, params = qs.query.sql_with_params()
            plan = sql(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        timings.append(float(plan[-1][0].split(":")[1].split()[0]))
    remove_bench_messages()
    median, p95 = common.median_p95(timings[1:])
    result = common.Result(
        group=GROUP,
        figure=f"claim query, {rows[0]:,} rows in the table ({rows[1]:,} pending, {due} due)",
        value=median,
        unit="ms",
        p95=p95,
        runs=repeat,
        queries=1,
        target="< 10 ms",
        met=median < 10,
        note=" / ".join(line[0].strip() for line in plan[:3]),
    )
    common.print_result(result)
    return result


def bench_per_task(count: int, people: int) -> None:
    """One send_message task per message through Redis to a real worker (prefork, 2 processes)."""
    from notifications import tasks

    assert os.environ.get("REDIS_URL"), "--per-task needs REDIS_URL"
    remove_bench_messages()
    insert_messages(count, status="pending", offset=0, people=people)
    ids = [
        row[0]
        for row in sql("SELECT id FROM notifications_message WHERE subject_type = %s ORDER BY id", [SUBJECT])
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
        while sql(
            "SELECT count(*) FROM notifications_message WHERE subject_type = %s AND status <> 'sent'",
            [SUBJECT],
        )[0][0]:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        remove_bench_messages()
    print(f"one task per message: {count} messages in {elapsed:.1f} s = {count / elapsed:,.0f} messages/s")


def run(ctx: common.Context) -> list[common.Result]:
    from volunteers.models import Volunteer

    # People with an e-mail address: each message goes out (none skipped for want of one).
    people = min(
        5_000,
        Volunteer.objects.filter(anonymized_at=None, preferred_channel=Volunteer.Channel.EMAIL)
        .exclude(email="")
        .count(),
    )
    set_aside_due()
    count, compare = ctx.scale["sweep"], ctx.scale["sweep_compare"]
    return [
        bench_sweep(count, people, per_shift=50),
        bench_sweep(compare, people, per_shift=1),
        bench_sweep(compare, people, per_shift=50, processes=2),
        bench_claim_query(500 if not ctx.smoke else 20, people, ctx.repeat),
    ]


def main() -> int:
    def extra(parser: Any) -> None:
        parser.add_argument("--per-task", type=int, default=0, help="also time N messages sent one task each")

    ctx, args = common.standalone(run, __doc__, extra)
    run(ctx)
    if args.per_task:
        from volunteers.models import Volunteer

        bench_per_task(
            args.per_task, min(5_000, Volunteer.objects.filter(anonymized_at=None).exclude(email="").count())
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
