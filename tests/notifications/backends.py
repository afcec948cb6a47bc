"""Channel backends that a separate process (a Celery worker under test) can record to: one
JSON file per message delivered, named by message id, writer pid and a random part, so that a
test counts deliveries per message across processes and restarts."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class RecordingEmailBackend(BaseEmailBackend):
    """Writes each e-mail to $TEST_MAIL_DIR; waits $TEST_MAIL_DELAY seconds first (a slow mail
    server, so that a test can kill the worker in the middle of a batch)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(os.environ["TEST_MAIL_DIR"])
        delay = float(os.environ.get("TEST_MAIL_DELAY", "0"))
        for message in email_messages:
            if delay:
                time.sleep(delay)
            message_id = message.extra_headers.get("X-Volunteer-Net-Message", "none")
            record: dict[str, Any] = {
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "pid": os.getpid(),
            }
            name = f"{message_id}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            # Written whole, then renamed: a reader never sees half a record.
            (folder / f"{name}.tmp").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            (folder / f"{name}.tmp").rename(folder / f"{name}.json")
        return len(email_messages)


def deliveries(folder: Path) -> dict[int, list[dict[str, Any]]]:
    """Deliveries recorded in `folder`, by message id."""
    found: dict[int, list[dict[str, Any]]] = {}
    for path in folder.glob("*.json"):
        message_id = int(path.name.split("-", 1)[0])
        found.setdefault(message_id, []).append(json.loads(path.read_text(encoding="utf-8")))
    return found
