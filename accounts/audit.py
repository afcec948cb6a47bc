"""The one way to write the audit trail (accounts.AuditEntry).

Called by the services that show, export or import personal data. `detail` names filters,
formats, file names — never the personal values themselves, so that the trail is not a second
copy of what it guards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model

from .models import AuditEntry, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    subject: Model | None = None,
    subject_type: str = "",
    subject_id: object = "",
    region_code: str = "",
    rows: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one act. Pass a model instance as `subject`, or name it with subject_type/_id."""
    if subject is not None:
        subject_type = subject._meta.label_lower
        subject_id = subject.pk
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject_type=subject_type,
        subject_id="" if subject_id in (None, "") else str(subject_id),
        region_code=region_code or "",
        rows=rows,
        detail=detail or {},
    )


def api_page_read_record(
    *,
    actor: User,
    subject_type: str,
    rows: int,
    page: int,
    filters: Sequence[str],
    region_code: str = "",
) -> AuditEntry | None:
    """Record one page of a list of personal data read through the API with a token (the
    roster's names, phones and e-mails, up to 200 people a page): a program can walk a whole
    list page after page without opening anybody's record, each opening of which is recorded.
    Who, how many rows, which page, the names of the filters used and the region asked for;
    never the query or the values. A page without rows is not recorded."""
    if not rows:
        return None
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.VIEWED,
        subject_type=subject_type,
        region_code=region_code,
        rows=rows,
        detail={"where": "api", "page": page, "filters": sorted(filters), "via": "token"},
    )


def audit_trail_for(*, subject_type: str, subject_id: object, limit: int | None = None) -> list[AuditEntry]:
    """The trail of one record, newest first (for the person's page: who saw their data); one
    query on the (subject, time) index."""
    entries = AuditEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).select_related(
        "actor"
    )
    return list(entries[:limit] if limit is not None else entries)
