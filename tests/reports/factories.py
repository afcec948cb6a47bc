"""Report objects as the pages that show them find them: a finished export, an issued certificate."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reports.models import Certificate, ExportJob


def finished_export(requested_by: Any, *, rows: int = 10, file_name: str = "signups.xlsx") -> ExportJob:
    """A sign-ups export that is done and downloadable for a day (its file is the caller's)."""
    return ExportJob.objects.create(
        requested_by=requested_by,
        kind="signups",
        file_format="xlsx",
        params={},
        status=ExportJob.Status.DONE,
        rows_total=rows,
        rows_done=rows,
        file_name=file_name,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )


def issued_certificate(volunteer: Any, *, campaign: Any, issued_by: Any) -> Certificate:
    """A certificate of 12.5 hours in the first half of 2026, in Kazakh, from Almaty."""
    return Certificate.objects.create(
        code="1234-5678-9012-3456",
        volunteer=volunteer,
        holder_name=volunteer.full_name,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        hours=Decimal("12.50"),
        campaigns=[{"title": campaign.title, "hours": "12.50"}],
        language="kk",
        issuer="Volunteer Net — Алматы",
        region_code="75",
        issued_by=issued_by,
    )
