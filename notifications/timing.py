"""When a message may go out: quiet hours for SMS and the back-off between attempts."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
# No SMS wakes anybody: 22:00–08:00 Almaty time (all of Kazakhstan is on UTC+5).
QUIET_START = datetime.time(22, 0)
QUIET_END = datetime.time(8, 0)
# Kinds that may wake people: an emergency call-out cannot wait for the morning.
URGENT_KINDS = frozenset({"callout"})
# Reminders whose subject says "Tomorrow": true only while the start's Almaty date is tomorrow.
DAY_BEFORE_KINDS = frozenset({"shift_reminder_24h", "visit_reminder_24h"})


def in_quiet_hours(moment: datetime.datetime) -> bool:
    local = moment.astimezone(ALMATY).time()
    return local >= QUIET_START or local < QUIET_END


# News of a change someone did not make themselves: a shift moved or cancelled, a place freed
# from the waitlist, a visit moved or cancelled by the office.
NEWS_KINDS = frozenset(
    {"waitlist_promoted", "shift_changed", "shift_cancelled", "visit_moved", "visit_cancelled"}
)
# Such news held for the morning would come too late for a start this soon after 08:00 (or
# before it): a shift moved at 23:00 to start at 07:00 was told at 08:00, once it had begun.
NEWS_TOO_LATE_WITHIN = datetime.timedelta(hours=2)


def not_before(
    *, kind: str, channel: str, moment: datetime.datetime, context: Mapping[str, Any] | None = None
) -> datetime.datetime:
    """The earliest time a message due at `moment` may be sent: an SMS due in quiet hours waits
    until 08:00 Almaty (deferred, never dropped); anything else goes at `moment`. News of a start
    (the message's `context`) that the morning would reach too late goes at `moment`, quiet hours
    or not. The start is read only then: the sweep asks this of every message it sends."""
    if channel != "sms" or kind in URGENT_KINDS or not in_quiet_hours(moment):
        return moment
    local = moment.astimezone(ALMATY)
    morning = local.replace(hour=QUIET_END.hour, minute=0, second=0, microsecond=0)
    if local.time() >= QUIET_START:
        morning += datetime.timedelta(days=1)
    if kind in NEWS_KINDS and context is not None:
        starts_at = start_of(context)
        if starts_at is not None and starts_at < morning + NEWS_TOO_LATE_WITHIN:
            return moment
    return morning.astimezone(datetime.UTC)


def start_of(context: Mapping[str, Any]) -> datetime.datetime | None:
    """The start a message's context names ("starts_at": a datetime, or its ISO text once
    stored), if any."""
    value = context.get("starts_at")
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    return None


def retry_delay(attempts: int) -> datetime.timedelta:
    """Back-off after the `attempts`-th failed try: 1, 5, 25, … minutes by default."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=base * 5 ** max(attempts - 1, 0))


def reminder_valid_until(
    kind: str, due_at: datetime.datetime, *, starts_at: datetime.datetime, later_due: list[datetime.datetime]
) -> datetime.datetime:
    """Until when a reminder due at `due_at` still tells the truth: never after the start, never
    once a later reminder of the same start is due (the two would arrive together), and a
    "Tomorrow" one never on the start's own Almaty date — held up by quiet hours or a worker down
    overnight, it would tell someone starting at 10:00 today that it is tomorrow."""
    until = min([starts_at, *(d for d in later_due if d > due_at)])
    if kind in DAY_BEFORE_KINDS:
        local = starts_at.astimezone(ALMATY)
        until = min(until, local.replace(hour=0, minute=0, second=0, microsecond=0))
    # A "Tomorrow" due on the start's own date (settings of a few hours) is its own moment.
    return max(until, due_at)
