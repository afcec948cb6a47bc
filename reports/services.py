"""Writes of reports/: export jobs and their files, the audit of every export, certificates."""

from __future__ import annotations

import datetime
import errno
import logging
import secrets
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from regions.models import Region
from regions.scoping import scoped_region_ids, staffed_office_ids
from volunteers.models import Volunteer

from . import selectors, writers
from .exports import text_as_typed
from .models import Certificate, ExportJob
from .registry import EXPORTS, Export
from .scope import ReportScope, params_without_search

logger = logging.getLogger(__name__)

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
    """Named by the period it covers; an export that takes no period (the roster: people as they
    stand) by the Almaty day it was made, so that its name does not claim a period it ignored."""
    if "period" in export.uses:
        return f"{export.key}_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{file_format}"
    return f"{export.key}_{timezone.localdate():%Y%m%d}.{file_format}"


def _region_code(scope: ReportScope) -> str:
    if scope.region:
        return Region.objects.filter(pk=scope.region).values_list("code", flat=True).first() or ""
    return ""


def export_audit(
    *, by: User, export: Export, scope: ReportScope, file_format: str, rows: int, job: int | None = None
) -> AuditEntry:
    """Who exported what, for which scope, how many rows (ids and dates, nothing personal: a
    roster search is recorded by its kind, "phone" or "name", not by what was typed)."""
    detail: dict[str, Any] = {"report": export.key, "format": file_format, **scope.audit_params()}
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
    label = _("Total")
    if file_format == "csv":
        _count, rows = export.rows(scope)
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
    # XLSX: text goes into string cells, which no spreadsheet evaluates, so the queries keep it
    # as typed (CSV's guard would show its apostrophe: "'+77014230734").
    if export.csv_copy is not None and connection.vendor == "postgresql":
        with text_as_typed():
            copy = export.csv_copy(scope)
        return writers.write_xlsx_copy(
            target, columns, copy, sheet_name=str(export.title), totals_label=label, progress=progress
        )
    with text_as_typed():
        _count, rows = export.rows(scope)
    return writers.write_xlsx(
        target, columns, rows, sheet_name=str(export.title), totals_label=label, progress=progress
    )


# Background jobs ----------------------------------------------------------------------------


def export_dir() -> Path:
    path = Path(settings.REPORTS_EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}-{job.file_name}"


def partial_path(job: ExportJob) -> Path:
    """Where the job's file is written until it is whole (never served)."""
    path = job_path(job)
    return path.with_name(f"{path.name}.part")


def export_job_create(
    *, by: User, export: Export, scope: ReportScope, file_format: str, rows: int
) -> ExportJob:
    """Queue a large export for a worker (or, without Redis, run it in-process right away)."""
    job = ExportJob.objects.create(
        requested_by=by,
        kind=export.key,
        file_format=file_format,
        params=scope.params(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows,
        file_name=export_file_name(export, scope, file_format),
    )
    transaction.on_commit(partial(_publish_run, job.pk))
    return job


def _publish_run(job_id: int) -> None:
    from . import tasks

    try:
        tasks.run_export.apply_async((job_id,), retry=True, retry_policy=PUBLISH_RETRY)
    except Exception:
        # A broker that is down must not turn the request into a 500 after the job was saved; the
        # job fails at once, and its page says so and offers to run it again.
        logger.warning("could not queue export %s", job_id, exc_info=True)
        _job_failed(job_id, ExportJob.Failure.NOT_STARTED, among=[ExportJob.Status.QUEUED])


PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _job_failed(job_id: int, failure: str, *, among: Sequence[str]) -> int:
    failed = ExportJob.objects.filter(pk=job_id, status__in=among).update(
        status=ExportJob.Status.FAILED, failure=failure, finished_at=timezone.now()
    )
    export_jobs_forget_search(job_id=job_id)
    return failed


def export_jobs_forget_search(*, job_id: int | None = None) -> int:
    """Replace the roster's search text in the parameters of jobs no worker will run any more
    (running, done, failed, expired) by the kind of what was searched. A job needs the text only
    until a worker has taken it up, and its row is kept long after (as expired): the text would
    otherwise stay in the table for good, a second copy of a phone number or an IIN someone looked
    up. "Run it again" of a roster export goes back to the roster page, so nothing needs it later."""
    jobs = ExportJob.objects.exclude(status=ExportJob.Status.QUEUED).filter(params__roster__has_key="q")
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    forgotten = 0
    for pk, params in jobs.values_list("pk", "params"):
        forgotten += ExportJob.objects.filter(pk=pk).update(params=params_without_search(params))
    return forgotten


def export_job_run(*, job_id: int) -> None:
    """Build the job's file, once. The claim (queued → running) is one conditional UPDATE, so a
    task delivered twice, or redelivered after its job was failed as stopped, does nothing. The
    file is written under a temporary name and renamed only when whole: a worker killed or a
    disk full half-way leaves no file that could be served."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return  # deleted with its requester
    running = [ExportJob.Status.RUNNING]
    # The claim also drops the roster's search text from the row: this worker holds it in memory
    # for the run, and a job once claimed is never run again (a redelivery finds it not queued).
    # It also records the regions the file is built from, the requester's now: the file stays
    # theirs only while they keep them all (selectors.export_job_still_theirs).
    covered = scoped_region_ids(job.requested_by)
    params = {
        **params_without_search(job.params),
        selectors.COVERED_REGIONS: None if covered is None else sorted(covered),
        # And the front offices they work in: an office's visits and its region's help requests
        # are theirs as its staff, whatever their regions.
        selectors.COVERED_OFFICES: [] if covered is None else sorted(staffed_office_ids(job.requested_by)),
    }
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=Now(), params=params
    )
    if not claimed:
        return  # a redelivered task for a job already done, failed, or being done
    export = EXPORTS[job.kind]
    scope = ReportScope.from_params(job.requested_by, job.params)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            rows_done=n, heartbeat_at=Now()
        )

    path = job_path(job)
    part = partial_path(job)
    try:
        with translation.override(job.language):
            rows = export_write(
                export=export,
                scope=scope,
                file_format=job.file_format,
                target=str(part),
                progress=progress,
            )
        part.replace(path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            _job_failed(job.pk, ExportJob.Failure.ERROR, among=running)
            raise
        # Nothing to retry now: the requester is told, the administrator finds it in the log.
        logger.error("export %s: no space left in %s", job.pk, settings.REPORTS_EXPORT_DIR)
        _job_failed(job.pk, ExportJob.Failure.DISK_FULL, among=running)
        return
    except Exception:
        part.unlink(missing_ok=True)
        _job_failed(job.pk, ExportJob.Failure.ERROR, among=running)
        raise
    now = timezone.now()
    done = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE,
        rows_done=rows,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=settings.REPORTS_EXPORT_TTL_HOURS),
    )
    if not done:
        # Failed as stopped meanwhile (this worker was frozen past the stall timeout): its
        # requester was told so and may have run it again; the file is not offered.
        path.unlink(missing_ok=True)
        return
    export_audit(
        by=job.requested_by, export=export, scope=scope, file_format=job.file_format, rows=rows, job=job.pk
    )


def export_jobs_fail_stalled(*, job_id: int | None = None) -> int:
    """Fail the jobs no worker is at: running ones whose heartbeat is older than
    REPORTS_EXPORT_STALL_SECONDS (their worker was killed), queued ones no worker took up within
    REPORTS_EXPORT_QUEUE_SECONDS. By the database's clock, the one the heartbeat is written with."""

    def ago(seconds: int) -> ExpressionWrapper:
        return ExpressionWrapper(Now() - datetime.timedelta(seconds=seconds), output_field=DateTimeField())

    jobs = ExportJob.objects.all() if job_id is None else ExportJob.objects.filter(pk=job_id)
    now = timezone.now()
    stopped = jobs.filter(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=ago(settings.REPORTS_EXPORT_STALL_SECONDS)
    ).update(status=ExportJob.Status.FAILED, failure=ExportJob.Failure.STOPPED, finished_at=now)
    never = jobs.filter(
        status=ExportJob.Status.QUEUED, created_at__lt=ago(settings.REPORTS_EXPORT_QUEUE_SECONDS)
    ).update(status=ExportJob.Status.FAILED, failure=ExportJob.Failure.NOT_STARTED, finished_at=now)
    if stopped or never:
        logger.warning("failed %s stopped and %s never started export(s)", stopped, never)
        # Those never started still hold the roster's search text.
        export_jobs_forget_search(job_id=job_id)
    return stopped + never


def export_job_refresh(*, job: ExportJob) -> ExportJob:
    """The job as its requester should see it: failed if no worker is at it any more."""
    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) and export_jobs_fail_stalled(
        job_id=job.pk
    ):
        job.refresh_from_db()
        partial_path(job).unlink(missing_ok=True)  # what its killed worker had written
    return job


def export_temporary_xlsx(*, export: Export, scope: ReportScope) -> IO[bytes]:
    """A small export's workbook in an anonymous temporary file (gone when closed), or a
    translated error when the export directory's disk is full."""
    handle = tempfile.TemporaryFile(dir=export_dir())
    try:
        export_write(export=export, scope=scope, file_format="xlsx", target=handle)
    except OSError as exc:
        try:
            handle.close()
        except OSError:
            pass  # what it could not write is lost with it: an anonymous file, gone when closed
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        logger.error("direct export: no space left in %s", settings.REPORTS_EXPORT_DIR)
        raise ValidationError(ExportJob.Failure.DISK_FULL.label) from exc
    handle.seek(0)
    return handle


def export_jobs_clean(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of expired exports (and of failed ones), marking them expired."""
    now = now or timezone.now()
    export_jobs_fail_stalled()
    # Periodic, so that a job finished by any other way (a row edited by hand, an older
    # version of this code) does not keep a search text either.
    export_jobs_forget_search()
    stale = ExportJob.objects.filter(
        status=ExportJob.Status.DONE, expires_at__lte=now
    ) | ExportJob.objects.filter(status=ExportJob.Status.FAILED)
    cleaned = 0
    for job in stale:
        job_path(job).unlink(missing_ok=True)
        partial_path(job).unlink(missing_ok=True)
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
    # In the certificate's language: the lines are frozen as printed, and the one of targeted
    # help is named by us (a campaign keeps the title its coordinator gave it).
    with translation.override(language):
        lines = selectors.volunteer_hours_by_campaign(volunteer=volunteer, start=start, end=end)
    total = sum((h for _t, h in lines), Decimal("0"))
    if not total:
        raise ValidationError({"start": _("No hours were credited in this period.")})
    region = volunteer.region
    with translation.override(language):
        issuer = _("Volunteer Net — %(region)s") % {"region": region.name} if region else _("Volunteer Net")
    campaigns = [{"title": t, "hours": str(h)} for t, h in lines]
    with transaction.atomic():
        # The same statement asked for again (a second "Download", staff issuing what the holder
        # already took) is the certificate already issued: one set of hours, one code to check,
        # not a new code on each click. The person's row is locked so that two clicks at once
        # find one another, and an erasure under way (it locks the row too, then blanks the
        # certificates) is seen before a name is frozen onto a new one.
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if locked.is_anonymised:
            raise ValidationError(_("This profile has been erased."))
        statement: dict[str, Any] = {
            "volunteer": volunteer,
            "holder_name": locked.full_name,
            "period_start": start,
            "period_end": end,
            "hours": total,
            "language": language,
            "issuer": issuer,
        }
        same = Certificate.objects.filter(**statement, revoked_at__isnull=True)
        issued = next((c for c in same if c.campaigns == campaigns), None)
        if issued is not None:
            return issued
        certificate = Certificate.objects.create(
            **statement,
            code=new_code(),
            campaigns=campaigns,
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


def volunteer_certificates_anonymize(*, volunteer: Volunteer, by: User | None) -> int:
    """Erasure's step in reports/ (an anonymise hook, see apps.py): the name frozen on the
    person's certificates is blanked, and so is a revocation's reason (staff's free text, which
    may name them). The rows stay, so that a code from paper is still known to have been issued
    (the verification page then says its holder's data was erased) and no other certificate can
    ever get the same code."""
    return Certificate.objects.filter(volunteer=volunteer).update(holder_name="", revoke_reason="")


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
