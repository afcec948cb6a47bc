"""Writes of reports/: export jobs and their files, the audit of every export, certificates."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from regions.models import Region
from volunteers.models import Volunteer

from . import selectors, writers
from .models import Certificate, ExportJob
from .registry import EXPORTS, Export
from .scope import ReportScope

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_get(key: str) -> Export:
    try:
        return EXPORTS[key]
    except KeyError as exc:
        raise ValidationError({"report": _("Choose a report from the list.")}) from exc


def export_file_name(export: Export, scope: ReportScope, file_format: str) -> str:
    return f"{export.key}_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{file_format}"


def _region_code(scope: ReportScope) -> str:
    if scope.region:
        return Region.objects.filter(pk=scope.region).values_list("code", flat=True).first() or ""
    return ""


def export_audit(
    *, by: User, export: Export, scope: ReportScope, file_format: str, rows: int, job: int | None = None
) -> AuditEntry:
    """Who exported what, for which scope, how many rows (ids and dates, nothing personal)."""
    detail: dict[str, Any] = {"report": export.key, "format": file_format, **scope.params()}
    if job is not None:
        detail["job"] = job
    return audit_record(
        actor=by,
        action=AuditEntry.Action.EXPORTED,
        subject_type="reports.export",
        subject_id=export.key,
        region_code=_region_code(scope),
        rows=rows,
        detail=detail,
    )


def export_write(
    *,
    export: Export,
    scope: ReportScope,
    file_format: str,
    target: Any,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the whole export into `target` (a path or a binary file); returns the rows written."""
    columns = export.columns(scope)
    _count, rows = export.rows(scope)
    label = _("Total")
    if file_format == "csv":
        written = 0

        def counting(n: int) -> None:
            nonlocal written
            written = n
            if progress:
                progress(n)

        def write(handle: Any) -> None:
            nonlocal written
            if export.csv_copy is not None and connection.vendor == "postgresql":
                written = writers.write_csv_copy(
                    handle, columns, export.csv_copy(scope), totals_label=label, progress=progress
                )
            else:
                writers.write_csv(handle, columns, rows, totals_label=label, progress=counting)

        if isinstance(target, (str, Path)):
            with open(target, "wb") as handle:
                write(handle)
        else:
            write(target)
        return written
    if export.csv_copy is not None and connection.vendor == "postgresql":
        return writers.write_xlsx_copy(
            target,
            columns,
            export.csv_copy(scope),
            sheet_name=str(export.title),
            totals_label=label,
            progress=progress,
        )
    return writers.write_xlsx(
        target,
        columns,
        rows,
        sheet_name=str(export.title),
        totals_label=label,
        progress=progress,
    )


# Background jobs ----------------------------------------------------------------------------


def export_dir() -> Path:
    path = Path(settings.REPORTS_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}-{job.file_name}"


def export_job_create(
    *, by: User, export: Export, scope: ReportScope, file_format: str, rows: int
) -> ExportJob:
    """Queue a large export for a worker (or, without Redis, run it in-process right away)."""
    from . import tasks

    job = ExportJob.objects.create(
        requested_by=by,
        kind=export.key,
        file_format=file_format,
        params=scope.params(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows,
        file_name=export_file_name(export, scope, file_format),
    )
    transaction.on_commit(lambda: tasks.run_export.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> None:
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return  # a redelivered task for a job already done (or being done)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    export = EXPORTS[job.kind]
    scope = ReportScope.from_params(job.requested_by, job.params)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

    try:
        with translation.override(job.language):
            rows = export_write(
                export=export,
                scope=scope,
                file_format=job.file_format,
                target=str(job_path(job)),
                progress=progress,
            )
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_done=rows,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=settings.REPORTS_EXPORT_TTL_HOURS),
    )
    export_audit(
        by=job.requested_by, export=export, scope=scope, file_format=job.file_format, rows=rows, job=job.pk
    )


def export_jobs_clean(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of expired exports (and of failed ones), marking them expired."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        status=ExportJob.Status.DONE, expires_at__lte=now
    ) | ExportJob.objects.filter(status=ExportJob.Status.FAILED)
    cleaned = 0
    for job in stale:
        job_path(job).unlink(missing_ok=True)
        cleaned += 1
    stale.update(status=ExportJob.Status.EXPIRED)
    # Files with no job left (a job deleted with its user) go too.
    known = {f"{pk}-{name}" for pk, name in ExportJob.objects.values_list("pk", "file_name")}
    for path in export_dir().iterdir():
        if path.name not in known and path.stat().st_mtime < (now.timestamp() - 3600):
            path.unlink(missing_ok=True)
    return cleaned


# Certificates -------------------------------------------------------------------------------


def new_code() -> str:
    """16 random digits in groups of four: typed easily from paper on a phone's number pad,
    and 10^16 of them, so that guessing one that exists is hopeless."""
    raw = "".join(secrets.choice("0123456789") for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def certificate_issue(
    *, volunteer: Volunteer, start: datetime.date, end: datetime.date, language: str, by: User
) -> Certificate:
    """Freeze the person's hours over the period into a certificate with a verification code."""
    if end < start:
        raise ValidationError({"end": _("The end of the period cannot come before its start.")})
    if volunteer.is_anonymised:
        raise ValidationError(_("This profile has been erased."))
    lines = selectors.volunteer_hours_by_campaign(volunteer=volunteer, start=start, end=end)
    total = sum((h for _t, h in lines), Decimal("0"))
    if not total:
        raise ValidationError({"start": _("No hours were credited in this period.")})
    region = volunteer.region
    with translation.override(language):
        issuer = _("Volunteer Net — %(region)s") % {"region": region.name} if region else _("Volunteer Net")
    with transaction.atomic():
        certificate = Certificate.objects.create(
            code=new_code(),
            volunteer=volunteer,
            holder_name=volunteer.full_name,
            period_start=start,
            period_end=end,
            hours=total,
            campaigns=[{"title": t, "hours": str(h)} for t, h in lines],
            language=language,
            issuer=issuer,
            region_code=region.code if region else "",
            issued_by=by,
        )
        audit_record(
            actor=by,
            action=AuditEntry.Action.CERTIFICATE,
            subject=certificate,
            region_code=certificate.region_code,
            detail={"volunteer": volunteer.pk, "start": start.isoformat(), "end": end.isoformat()},
        )
    return certificate


def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This certificate has already been revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=by, action=AuditEntry.Action.REVOKED, subject=locked, region_code=locked.region_code
        )
    return locked
