"""The import as a service: upload → mapping → a validating pass over the file that stores one
compact result per row → the preview's choices → one transaction that writes the batch, all of
it or nothing."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import logging
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from regions.models import Region
from regions.scoping import may_manage_region, scope_queryset

from .. import services as volunteer_services
from ..models import ConsentMethod, Volunteer, VolunteerChange
from . import reading
from .mapping import FIELDS, auto_mapping, find_header_row, normalize_header
from .models import DuplicateChoice, ImportBatch, ImportMapping, ImportRow
from .validation import IIN_LOOKUP, ORDER_SAMPLE, Lookups, errors_of, iin_key, month_first, validate_row

logger = logging.getLogger(__name__)

CHUNK = 1000
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
# Spreadsheets that are not read (no reader among the requirements), each refused with what to
# do instead: save as XLSX from the program that opened it.
OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods", ".numbers")
# Far more than a roster has, far fewer than a form may post (DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_COLUMNS = 200


def _import_dir() -> Path:
    path = Path(settings.IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_key(batch_id: int) -> str:
    return f"roster-import-progress:{batch_id}"


def _progress(batch_id: int, done: int, total: int) -> None:
    cache.set(progress_key(batch_id), {"done": done, "total": total}, timeout=3600)


def progress_of(batch: ImportBatch) -> dict[str, int]:
    value = cache.get(progress_key(batch.pk)) or {}
    return {"done": int(value.get("done", 0)), "total": int(value.get("total", batch.estimated_rows))}


def _delete_file(batch: ImportBatch) -> None:
    if batch.file_path:
        Path(batch.file_path).unlink(missing_ok=True)


def _file_info(batch: ImportBatch) -> reading.FileInfo:
    return reading.FileInfo(
        format=batch.file_format, encoding=batch.encoding, delimiter=batch.delimiter, sheets=batch.sheets
    )


class TooManyColumns(ValidationError):
    """The header is wider than any roster: said as it is, not as a file that cannot be read."""


def _read_header(batch: ImportBatch, *, user: User) -> None:
    """The header row, its cells and the mapping offered for them."""
    rows = reading.sample_rows(Path(batch.file_path), _file_info(batch), sheet=batch.sheet)
    index = find_header_row(rows)
    batch.header_row = index + 1
    headers = rows[index] if rows else []
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        # A roster has a dozen columns; ten thousand made a mapping page of a hundred megabytes
        # that the server could not take back (one field per column).
        raise TooManyColumns(
            ngettext(
                "The file has %(count)s column; at most %(max)s can be imported. Keep the roster's columns and save it again.",
                "The file has %(count)s columns; at most %(max)s can be imported. Keep the roster's columns and save it again.",
                len(headers),
            )
            % {"count": len(headers), "max": MAX_COLUMNS}
        )
    batch.headers = headers
    remembered = ImportMapping.objects.filter(user=user).values_list("mapping", flat=True).first()
    # A column hidden in the sheet is one the coordinator keeps out of sight (an old phone, notes,
    # the parts of a formula): it was mapped by its header all the same and imported. It is not
    # offered; the mapping step says it is hidden, and it can still be chosen there.
    hidden = batch_hidden_columns(batch=batch)
    batch.mapping = auto_mapping(
        ["" if index in hidden else header for index, header in enumerate(headers)], remembered
    )
    batch.estimated_rows = max(
        0, reading.count_rows(Path(batch.file_path), _file_info(batch), sheet=batch.sheet) - batch.header_row
    )


def batch_hidden_columns(*, batch: ImportBatch) -> set[int]:
    """The columns (0-based) hidden in the batch's sheet, as the mapping step names them."""
    if not batch.file_path or not Path(batch.file_path).is_file():
        return set()  # the upload's file is gone (cleaned up): nothing to say, nothing to refuse
    return reading.hidden_columns(Path(batch.file_path), _file_info(batch), sheet=batch.sheet)


def _other_spreadsheet() -> str:
    return _(
        "Files in this format (.xls, .ods) cannot be read. Open the file in Excel or "
        "LibreOffice, choose File → Save as → Excel Workbook (.xlsx) and upload that file."
    )


def batch_upload(*, by: User, region: Region, upload: UploadedFile) -> ImportBatch:
    """Keep the file (for the import's time only), read its layout and offer a mapping."""
    if not may_manage_region(by, region.pk):
        raise ValidationError({"region": [_("Choose one of the regions you manage.")]})
    name = Path(upload.name or "file").name[:255]
    if name.lower().endswith(OTHER_SPREADSHEETS):
        # Excel 97–2003 and LibreOffice keep whole regions' lists; a plain "upload a .csv or
        # .xlsx" left the coordinator to guess that the same program saves the other format.
        raise ValidationError({"file": [_other_spreadsheet()]})
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    if upload.size and upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is too large: at most %(mb)s MB.")
                    % {"mb": settings.IMPORT_MAX_BYTES // 2**20}
                ]
            }
        )
    path = _import_dir() / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    try:
        info = reading.inspect(path)
    except reading.TooLargeUnpacked as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(
            {
                "file": [
                    _(
                        "The file holds more than %(mb)s MB of data once unpacked: split it into smaller files."
                    )
                    % {"mb": settings.IMPORT_MAX_UNPACKED_BYTES // 2**20}
                ]
            }
        ) from exc
    except reading.OtherSpreadsheet as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": [_other_spreadsheet()]}) from exc
    except reading.Encrypted as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(
            {
                "file": [
                    _(
                        "This workbook is protected by a password. Open it, remove the password "
                        "(File → Info → Protect Workbook → Encrypt with Password), save it and upload it again."
                    )
                ]
            }
        ) from exc
    except reading.UnreadableFile as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(
            {"file": [_("This file cannot be read: save it as CSV or XLSX and try again.")]}
        ) from exc
    batch = ImportBatch(
        created_by=by,
        region=region,
        file_name=name,
        file_path=str(path),
        file_sha256=digest.hexdigest(),
        file_format=info.format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        sheets=info.sheets,
    )
    try:
        # An empty first sheet ("Лист1") left the mapping with no columns at all.
        batch.sheet = reading.first_sheet_with_data(path, info) if info.sheets else ""
        _read_header(batch, user=by)
    except TooManyColumns as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": exc.messages}) from exc
    except Exception as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(
            {"file": [_("This file cannot be read: save it as CSV or XLSX and try again.")]}
        ) from exc
    batch.save()
    return batch


def earlier_import_of(batch: ImportBatch) -> ImportBatch | None:
    """The same file imported before into the same region: its rows will all be found on file.
    Another region's import of it is not said: its people are not this coordinator's to match
    (_matchable), and that another region holds the list is not theirs to learn."""
    return (
        ImportBatch.objects.filter(
            file_sha256=batch.file_sha256, status=ImportBatch.Status.DONE, region_id=batch.region_id
        )
        .exclude(pk=batch.pk)
        .first()
    )


def _lock_idle(batch: ImportBatch) -> ImportBatch:
    """The batch, locked for a change, or "being processed" at once while a check or an import
    holds it: waiting for the lock, a coordinator's click on the preview hung for as long as the
    work of a large file took, and then said the same."""
    locked = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch.pk).first()
    if locked is None:
        raise ValidationError(_("This file is being processed; wait until it is done."))
    return locked


@transaction.atomic
def batch_map(*, batch: ImportBatch, by: User, mapping: dict[str, str], sheet: str = "") -> ImportBatch:
    """Save the coordinator's mapping (and remember it for their next file). A changed sheet
    reads that sheet's header first and offers its mapping again."""
    batch = _lock_idle(batch)
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATED):
        raise ValidationError(_("This file is being processed; wait until it is done."))
    if sheet and sheet != batch.sheet and sheet in batch.sheets:
        batch.sheet = sheet
        try:
            _read_header(batch, user=by)
        except TooManyColumns as exc:
            raise ValidationError({"sheet": exc.messages}) from exc
        except Exception as exc:
            # As at upload: whatever the reader trips on in a broken sheet, the coordinator is
            # told that this sheet cannot be read (and may pick another), not shown an error page.
            raise ValidationError(
                {"sheet": [_("This sheet cannot be read: check it in the spreadsheet, or choose another.")]}
            ) from exc
        batch.status = ImportBatch.Status.UPLOADED
        batch.save()
        return batch
    clean = {k: v for k, v in mapping.items() if v in FIELDS and k.isdigit() and int(k) < len(batch.headers)}
    chosen = list(clean.values())
    if len(chosen) != len(set(chosen)):
        raise ValidationError(_("Each field can be taken from one column only."))
    if "full_name" not in chosen and not {"last_name", "first_name"} <= set(chosen):
        raise ValidationError(
            _("Choose the column with the full name, or the columns with the last and first names.")
        )
    batch.mapping = clean
    batch.status = ImportBatch.Status.UPLOADED
    batch.save(update_fields=["mapping", "status", "sheet"])
    remembered = {
        normalize_header(batch.headers[int(k)]): v for k, v in clean.items() if batch.headers[int(k)]
    }
    ImportMapping.objects.update_or_create(user=by, defaults={"mapping": remembered})
    return batch


# One quick retry: a broker that is down is told to the coordinator at once, not after a minute.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _run_in_background(task: Any, batch_id: int, *, busy: str, back_to: str) -> None:
    """A Celery task with Redis; the server's own thread without it (`make run`). Queued once
    the batch's new status has committed, for the worker to find it."""
    if settings.IMPORT_IN_PROCESS:

        def run() -> None:
            try:
                task(batch_id)
            finally:
                connection.close()

        transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())
        return

    def publish() -> None:
        try:
            task.apply_async((batch_id,), retry=True, retry_policy=PUBLISH_RETRY)
        except Exception:
            # With the broker down, the error came out of the commit: the coordinator got an
            # error page, and the batch stayed "checking" (or "importing") for good, with no
            # worker to take it, no way to discard it, and its file never cleaned up. It goes
            # back to where it was, and the page says to try again (_not_started).
            logger.warning("roster import %s could not be queued", batch_id, exc_info=True)
            ImportBatch.objects.filter(pk=batch_id, status=busy).update(status=back_to)

    transaction.on_commit(publish)


def _not_started(batch_id: int, back_to: str) -> ImportBatch:
    """The batch just queued, as it is now: refused if it could not be queued (and is back to
    `back_to`); inside a caller's transaction it is not queued yet, and is returned as is."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == back_to:
        raise ValidationError(
            _("The work could not be started: nothing was changed. Try again in a few minutes.")
        )
    return batch


def runs_in_background(batch: ImportBatch) -> bool:
    return batch.estimated_rows > settings.IMPORT_ASYNC_ROWS


def batch_check(*, batch: ImportBatch, by: User) -> ImportBatch:
    """Start the validating pass: here for a small file, in the background for a large one."""
    from . import tasks

    with transaction.atomic():
        locked = _lock_idle(batch)
        if locked.status != ImportBatch.Status.UPLOADED or not locked.mapping:
            raise ValidationError(_("Map the columns first."))
        locked.status = ImportBatch.Status.VALIDATING
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "queued_at"])
        queued = runs_in_background(locked)
        if queued:
            _run_in_background(
                tasks.validate_batch,
                locked.pk,
                busy=ImportBatch.Status.VALIDATING,
                back_to=ImportBatch.Status.UPLOADED,
            )
    if queued:
        return _not_started(locked.pk, ImportBatch.Status.UPLOADED)
    try:
        return batch_validate(batch_id=locked.pk)
    except Exception:
        # A row the reader cannot take (a cell past the CSV field limit, a broken number in the
        # XLSX) fails the check: batch_validate has logged it and marked the batch failed, with
        # nothing stored, and the preview says so, as it does for a file checked in the background.
        return ImportBatch.objects.get(pk=locked.pk)


def _cells(
    batch: ImportBatch, *, layout: reading.SheetLayout | None = None, left_out: list[int] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The data rows below the header with something in a mapped column; a row hidden in the
    sheet (`layout`, read once by the caller) is not given but its number is put in `left_out`."""
    columns = [(int(k), v) for k, v in batch.mapping.items()]
    path, info = Path(batch.file_path), _file_info(batch)
    hidden = layout.hidden if layout is not None else frozenset()
    for number, row in enumerate(reading.iter_rows(path, info, sheet=batch.sheet, layout=layout), start=1):
        if number <= batch.header_row:
            continue
        cells = {field: (row[i] if i < len(row) else None) for i, field in columns}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        if number in hidden:
            if left_out is not None:
                left_out.append(number)
            continue
        yield number, cells


def _ordered_rows(
    batch: ImportBatch, lookups: Lookups, *, layout: reading.SheetLayout, left_out: list[int]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of _cells, once `lookups` knows the order of the file's dates with slashes
    (month_first). That is told by the first rows, which are held meanwhile (a bounded number:
    memory stays flat) instead of read from the file a second time."""
    rows = _cells(batch, layout=layout, left_out=left_out)
    if "birth_date" not in batch.mapping.values():
        yield from rows
        return
    head = list(itertools.islice(rows, ORDER_SAMPLE))
    lookups.month_first = month_first(cells.get("birth_date") for _number, cells in head)
    yield from head
    del head
    yield from rows


def batch_validate(*, batch_id: int) -> ImportBatch:
    """The streaming pass: each row checked and stored, a thousand at a time; then the
    duplicates, found by the database among the stored rows and against the roster."""
    started = timezone.now()
    try:
        with transaction.atomic():
            # Locked for the whole pass: a task delivered twice (a worker lost, the coordinator's
            # "start again") waits here and then finds the batch checked; and a batch nobody holds
            # is known not to be under way (batch_stalled).
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("region", "created_by")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.VALIDATING:
                return batch
            ImportRow.objects.filter(batch=batch).delete()
            lookups = Lookups(
                user=batch.created_by,
                region=batch.region,
                detachment_model=Volunteer._meta.get_field("detachment").related_model,
            )
            lookups.epoch = reading.date_epoch(Path(batch.file_path), _file_info(batch))
            # Rows the coordinator hid in the spreadsheet (by hand, or filtered out) are the
            # ones they do not want: imported, they added the people the list was filtered to
            # leave out. They are left out, and the preview says which.
            layout = reading.sheet_layout(Path(batch.file_path), _file_info(batch), sheet=batch.sheet)
            pending: list[ImportRow] = []
            total = errors = 0
            left_out: list[int] = []
            for number, cells in _ordered_rows(batch, lookups, layout=layout, left_out=left_out):
                result = validate_row(cells, lookups)
                keys = result.keys
                pending.append(
                    ImportRow(
                        batch=batch,
                        number=number,
                        cells={k: reading.cell_text(v) for k, v in cells.items()},
                        values=result.values,
                        errors=result.errors,
                        has_errors=bool(result.errors),
                        key_iin=keys["key_iin"],
                        key_phone=keys["key_phone"],
                        key_email=keys["key_email"],
                        key_person=keys["key_person"],
                        key_name=keys["key_name"],
                        key_birth=result.values["birth_date"] or None,
                        key_region=result.values["region_id"],
                    )
                )
                total += 1
                errors += bool(result.errors)
                if len(pending) >= CHUNK:
                    ImportRow.objects.bulk_create(pending)
                    pending = []
                    _progress(batch.pk, total, batch.estimated_rows)
            ImportRow.objects.bulk_create(pending)
            batch.total_rows, batch.error_rows = total, errors
            batch.hidden_rows = left_out
            batch.duplicate_rows = _mark_duplicates(batch)
            batch.status = ImportBatch.Status.VALIDATED
            batch.checked_at = started
            batch.save(
                update_fields=[
                    "total_rows",
                    "error_rows",
                    "hidden_rows",
                    "duplicate_rows",
                    "status",
                    "checked_at",
                ]
            )
    except Exception:
        logger.exception("roster import %s: the file could not be checked", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, failure="check")
        raise
    _progress(batch.pk, batch.total_rows, batch.total_rows)
    return batch


# (reason, the row's key, the roster's condition on it)
_ROSTER_MATCHES: tuple[tuple[str, str, str], ...] = (
    ("iin", "key_iin", IIN_LOOKUP),
    ("phone", "key_phone", "phone"),
    ("email", "key_email", "email__iexact"),
)


def _matchable(batch: ImportBatch) -> QuerySet[Volunteer]:
    """The records a row of the batch may be matched with: those of the importer's regions.

    A match is shown in the preview and may be filled from the row; a record of another region
    is neither to be disclosed ("this phone is on file elsewhere") nor written by this
    coordinator. A row that repeats such a record is imported as new and flagged as a possible
    duplicate, which staff of both regions see (volunteers.services.possible_duplicates_flag)."""
    live = Volunteer.objects.filter(anonymized_at__isnull=True)
    if batch.created_by is None:
        return live.filter(region_id=batch.region_id)
    return scope_queryset(live, batch.created_by)


def _mark_duplicates(batch: ImportBatch) -> int:
    """Rows whose IIN, phone, e-mail — or, for a row without them, name, birth date and region —
    are already on the roster, or on an earlier row of the file. The strongest match first;
    correlated subqueries on indexed columns, so the database does the work, not a dict."""
    rows = ImportRow.objects.filter(batch=batch, has_errors=False)
    rows.filter(~Q(duplicate_reason="")).update(same_as_row=None, existing_id=None, duplicate_reason="")
    live = _matchable(batch)
    # Each UPDATE writes the rows that have a match (Exists) and no others: setting the rest to
    # NULL again wrote a new version of every row of the batch, four times over, which the
    # check and then the import waded through.
    for reason, key, lookup in _ROSTER_MATCHES:
        match = live.filter(**{lookup: OuterRef(key)}).order_by("pk").values("pk")[:1]
        rows.filter(Exists(match), existing_id__isnull=True).exclude(**{key: ""}).update(
            existing_id=Subquery(match)
        )
        rows.filter(existing_id__isnull=False, duplicate_reason="").update(duplicate_reason=reason)
    person = (
        live.filter(
            birth_date=OuterRef("key_birth"),
            search_name=OuterRef("key_name"),
            region_id=OuterRef("key_region"),
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    rows.filter(Exists(person), existing_id__isnull=True).exclude(key_name="").update(
        existing_id=Subquery(person)
    )
    rows.filter(existing_id__isnull=False, duplicate_reason="").update(duplicate_reason="person")
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    with connection.cursor() as cursor:
        for reason, key in (
            ("iin", "key_iin"),
            ("phone", "key_phone"),
            ("email", "key_email"),
            ("person", "key_person"),
        ):
            # One sort of the batch's rows per key (a window), not a lookup per row.
            cursor.execute(
                f"""
                UPDATE {table} SET same_as_row = first.number, duplicate_reason = %s
                FROM (
                    SELECT id, MIN(number) OVER (PARTITION BY {key}) AS number
                    FROM {table}
                    WHERE batch_id = %s AND NOT has_errors AND {key} <> ''
                ) AS first
                WHERE {table}.id = first.id AND first.number < {table}.number
                  AND {table}.same_as_row IS NULL AND {table}.existing_id IS NULL
                """,  # noqa: S608  (the table and column names are ours, not input)
                [reason, batch.pk],
            )
    return rows.exclude(duplicate_reason="").count()


@transaction.atomic
def batch_choose(
    *, batch: ImportBatch, by: User, for_all: str | None = None, rows: dict[int, str] | None = None
) -> None:
    """The coordinator's choice for the duplicates: one for all, or per row."""
    locked = _lock_idle(batch)
    if locked.status != ImportBatch.Status.VALIDATED:
        raise ValidationError(_("This file is being processed; wait until it is done."))
    if for_all:
        if for_all not in DuplicateChoice.values:
            raise ValidationError(_("Choose what to do with the duplicates."))
        locked.duplicate_choice = for_all
        locked.save(update_fields=["duplicate_choice"])
        ImportRow.objects.filter(batch=locked).exclude(choice="").update(choice="")
    for number, choice in (rows or {}).items():
        if choice in DuplicateChoice.values or choice == "":
            ImportRow.objects.filter(batch=locked, number=number).update(choice=choice)


def batch_start_import(
    *, batch: ImportBatch, by: User, consent_confirmed: bool, consent_date: datetime.date | None
) -> ImportBatch:
    """The coordinator confirms that the region holds the paper consents of the people in the
    file (dated `consent_date`); the import then runs here or, for a large file, in the
    background."""
    from . import tasks

    if not consent_confirmed:
        raise ValidationError(
            {"consent_confirmed": [_("Confirm that the region holds the signed consents of these people.")]}
        )
    if consent_date is None or consent_date > timezone.localdate():
        raise ValidationError({"consent_date": [_("Enter the date of the consents, not in the future.")]})
    with transaction.atomic():
        locked = _lock_idle(batch)
        if locked.status != ImportBatch.Status.VALIDATED:
            raise ValidationError(_("This file is being processed; wait until it is done."))
        locked.status = ImportBatch.Status.IMPORTING
        locked.imported_by = by
        locked.consent_date = consent_date
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "imported_by", "consent_date", "queued_at"])
        queued = runs_in_background(locked)
        if queued:
            _run_in_background(
                tasks.import_batch,
                locked.pk,
                busy=ImportBatch.Status.IMPORTING,
                back_to=ImportBatch.Status.VALIDATED,
            )
    if queued:
        return _not_started(locked.pk, ImportBatch.Status.VALIDATED)
    return batch_import(batch_id=locked.pk)


def _new_volunteer(values: dict[str, Any], consent: dict[str, Any]) -> Volunteer:
    volunteer = Volunteer(
        last_name=values["last_name"],
        first_name=values["first_name"],
        middle_name=values["middle_name"],
        birth_date=datetime.date.fromisoformat(values["birth_date"]) if values["birth_date"] else None,
        phone=values["phone"],
        email=values["email"],
        iin=values["iin"] or None,
        region_id=values["region_id"],
        locality=values["locality"],
        detachment_id=values["detachment_id"],
        guardian_name=values["guardian_name"],
        guardian_phone=values["guardian_phone"],
        guardian_relation=values["guardian_relation"],
        preferred_language=values["preferred_language"],
        **consent,
    )
    volunteer_services._await_guardian_if_minor(volunteer)
    # bulk_create does not call save(), which derives these.
    volunteer.refresh_search_fields()
    volunteer.birth_year = volunteer.birth_date.year if volunteer.birth_date else None
    return volunteer


def _fill(
    matchable: QuerySet[Volunteer],
    volunteer_id: int,
    values: dict[str, Any],
    consent: dict[str, Any],
    by: User | None,
) -> bool:
    """ "Update empty fields": the record on file takes what it lacks from the row, never
    losing a value, by the rules a merge fills a record with (volunteers.services). Only a
    record of the importer's regions (`matchable`) is ever written."""
    kept = matchable.select_for_update().filter(pk=volunteer_id).first()
    if kept is None:
        return False
    row_person = _new_volunteer(values, consent)
    taken = None
    if not kept.iin and row_person.iin:
        # The row's IIN, held by another record (of another region, which the preview could
        # not show): written here it broke the IIN's unique index, and the whole import failed
        # on every try. The record is filled without it and flagged, as a new one is.
        if Volunteer.objects.filter(iin_hash=iin_key(row_person.iin)).exclude(pk=kept.pk).exists():
            taken, row_person.iin = row_person.iin, None
    filled = volunteer_services._fill_empty_fields(kept, row_person)
    new_skills = set(values["skill_ids"]) - set(kept.skills.values_list("id", flat=True))
    if new_skills:
        kept.skills.add(*new_skills)
        filled.append("skills")
    if taken:
        volunteer_services.possible_duplicates_flag(volunteer=kept, iin=taken)
    if not filled:
        return False
    volunteer_services._await_guardian_if_minor(kept)
    kept.full_clean(exclude=["user", "skills", "iin"])
    kept.save()
    VolunteerChange.objects.create(
        volunteer=kept, changed_by=by, action=VolunteerChange.Action.IMPORT, fields=sorted(set(filled))
    )
    return True


def _keep_taken_iins_off(creates: list[tuple[ImportRow, Volunteer, str | None]]) -> None:
    """An IIN is one person's across the country: a new record whose IIN another region's
    record holds (not a duplicate the preview could show), or an earlier new record of the
    chunk, goes without it, and is flagged. Two rows with one IIN, each matched with the roster
    by its phone and both to be created anyway, broke the IIN's unique index, and the whole
    import failed, however often it was tried again."""
    keys = {row.key_iin for row, volunteer, taken in creates if volunteer.iin and taken is None}
    if not keys:
        return
    held = set(Volunteer.objects.filter(iin_hash__in=keys).values_list("iin_hash", flat=True))
    for index, (row, volunteer, taken) in enumerate(creates):
        if volunteer.iin and taken is None:
            if row.key_iin in held:
                creates[index] = (row, volunteer, volunteer.iin)
                volunteer.iin = None
            held.add(row.key_iin)


def _on_file_elsewhere(created: list[Volunteer]) -> set[int]:
    """The new records whose phone or e-mail a record outside the importer's regions holds (the
    preview did not match them, see _matchable): two queries a chunk, not one per row. The
    e-mails are compared as the preview compares them (case aside, Django's iexact), on the
    roster's index of upper(email): lower(email) had none, and each chunk read the whole roster."""
    phones = {v.phone for v in created if v.phone}
    emails = {v.email.strip() for v in created if v.email.strip()}
    if not phones and not emails:
        return set()
    own = [v.pk for v in created]
    others = Volunteer.objects.filter(anonymized_at__isnull=True).exclude(pk__in=own)
    held_phones = set(others.filter(phone__in=phones).values_list("phone", flat=True)) if phones else set()
    held_emails = _emails_on_file(sorted(emails), own) if emails else set()
    return {
        v.pk
        for v in created
        if (v.phone and v.phone in held_phones) or (v.email.strip() and v.email.strip() in held_emails)
    }


def _emails_on_file(emails: list[str], own: list[int]) -> set[str]:
    """Those of `emails` that a live record other than `own` holds, case aside."""
    if connection.vendor != "postgresql":
        # `make run`'s SQLite: its upper() folds ASCII letters alone, as e-mails are written.
        held = set(
            Volunteer.objects.filter(anonymized_at__isnull=True)
            .exclude(pk__in=own)
            .annotate(email_upper=Upper("email"))
            .filter(email_upper__in={email.upper() for email in emails})
            .values_list("email_upper", flat=True)
        )
        return {email for email in emails if email.upper() in held}
    table = connection.ops.quote_name(Volunteer._meta.db_table)
    with connection.cursor() as cursor:
        # The same expression as the index volunteer_email_upper and as Django's iexact.
        cursor.execute(
            f"""
            SELECT typed.email FROM unnest(%s::text[]) AS typed(email)
            WHERE EXISTS (
                SELECT 1 FROM {table} AS v
                WHERE UPPER(v.email::text) = UPPER(typed.email)
                  AND v.anonymized_at IS NULL AND NOT (v.id = ANY(%s::bigint[]))
            )
            """,  # noqa: S608  (the table name is ours, not input)
            [emails, own],
        )
        return {email for (email,) in cursor.fetchall()}


def _record_outcomes(chunk: list[ImportRow]) -> None:
    """Write what became of each row of a chunk, and each created row's new record, so that
    erasing that person later finds the row (volunteers.services.volunteer_anonymize): one
    statement a chunk, joined on the row ids. Two (the outcomes, then the new records) wrote
    every row twice."""
    if connection.vendor != "postgresql":
        # `make run`'s SQLite has no arrays to join on: one UPDATE per outcome, and Django's
        # CASE per row for the new records.
        by_outcome: dict[str, list[int]] = {}
        for row in chunk:
            by_outcome.setdefault(row.outcome, []).append(row.pk)
        for outcome, ids in by_outcome.items():
            ImportRow.objects.filter(pk__in=ids).update(outcome=outcome)
        made = [row for row in chunk if row.outcome == ImportRow.Outcome.CREATED]
        if made:
            ImportRow.objects.bulk_update(
                [ImportRow(pk=row.pk, volunteer_id=row.volunteer_id) for row in made], ["volunteer_id"]
            )
        return
    created = ImportRow.Outcome.CREATED
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table}
            SET outcome = done.outcome, volunteer_id = COALESCE(done.volunteer_id, {table}.volunteer_id)
            FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS done(id, outcome, volunteer_id)
            WHERE {table}.id = done.id
            """,  # noqa: S608  (the table name is ours, not input)
            [
                [row.pk for row in chunk],
                [row.outcome for row in chunk],
                [row.volunteer_id if row.outcome == created else None for row in chunk],
            ],
        )


def batch_import(*, batch_id: int) -> ImportBatch:
    """Write the batch in one transaction: all of it, or — on any failure — nothing."""
    try:
        with transaction.atomic():
            batch = _import_locked(batch_id)
    except Exception:
        logger.exception("roster import %s failed; nothing was written", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, failure="import")
        raise
    return batch


def _import_locked(batch_id: int) -> ImportBatch:
    batch = (
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("region", "imported_by")
        .get(pk=batch_id)
    )
    if batch.status != ImportBatch.Status.IMPORTING:
        return batch
    by = batch.imported_by
    # The roster may have changed since the preview: a person registered (or a phone changed)
    # meanwhile is a duplicate. Usually nothing has, and the rows need no second look.
    changed = Volunteer.objects.filter(updated_at__gte=batch.checked_at) if batch.checked_at else None
    if changed is None or changed.exists():
        _mark_duplicates(batch)
    matchable = _matchable(batch)
    now = timezone.now()
    consent = {
        "consent_at": now,
        "consent_version": settings.CONSENT_VERSION,
        "consent_method": ConsentMethod.IMPORTED,
        "consent_source": f"{batch.file_name}, {batch.consent_date:%d.%m.%Y}"[:300],
    }
    counts = dict.fromkeys(ImportRow.Outcome.values, 0)
    # The rows a later row repeats, to find the record made of them: few, so kept here.
    targets: dict[int, int | None] = {
        number: None
        for number in ImportRow.objects.filter(batch=batch, same_as_row__isnull=False).values_list(
            "same_as_row", flat=True
        )
        if number is not None
    }
    done, last = 0, 0
    while True:
        chunk = list(
            ImportRow.objects.filter(batch=batch, number__gt=last).defer("cells").order_by("number")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].number
        creates: list[tuple[ImportRow, Volunteer, str | None]] = []
        fills: list[ImportRow] = []
        for row in chunk:
            choice = (row.choice or batch.duplicate_choice) if row.is_duplicate else DuplicateChoice.CREATE
            if row.has_errors:
                row.outcome = ImportRow.Outcome.FAILED
            elif choice == DuplicateChoice.SKIP:
                row.outcome = ImportRow.Outcome.SKIPPED
                row.volunteer_id = row.existing_id
            elif choice == DuplicateChoice.FILL:
                fills.append(row)
            else:
                volunteer = _new_volunteer(row.values, consent)
                taken = None
                if row.is_duplicate and volunteer.iin and row.duplicate_reason == "iin":
                    # The IIN is one person's: the new record goes without it, flagged for a coordinator.
                    taken, volunteer.iin = volunteer.iin, None
                creates.append((row, volunteer, taken))
        _keep_taken_iins_off(creates)
        created = Volunteer.objects.bulk_create([v for _r, v, _t in creates])
        Volunteer.skills.through.objects.bulk_create(
            [
                Volunteer.skills.through(volunteer_id=v.pk, skill_id=skill_id)
                for (row, _v, _t), v in zip(creates, created, strict=True)
                for skill_id in row.values["skill_ids"]
            ]
        )
        VolunteerChange.objects.bulk_create(
            [
                VolunteerChange(
                    volunteer_id=v.pk,
                    changed_by=by,
                    action=VolunteerChange.Action.IMPORT,
                    fields=["imported"],
                )
                for v in created
            ]
        )
        elsewhere = _on_file_elsewhere(created)
        for (row, _v, taken), volunteer in zip(creates, created, strict=True):
            row.outcome, row.volunteer_id = ImportRow.Outcome.CREATED, volunteer.pk
            if row.is_duplicate or taken or volunteer.pk in elsewhere:
                volunteer_services.possible_duplicates_flag(volunteer=volunteer, iin=taken)
        for row in fills:
            target = row.existing_id
            if target is None and row.same_as_row is not None:
                target = targets.get(row.same_as_row) or next(
                    (r.volunteer_id for r in chunk if r.number == row.same_as_row), None
                )
            try:
                with transaction.atomic():
                    updated = target is not None and _fill(matchable, target, row.values, consent, by)
            except ValidationError as exc:
                row.outcome = ImportRow.Outcome.FAILED
                # Stored as message ids, per field, as the check's errors are: stored as text,
                # they stayed in the language of whoever pressed "Import" (a Kazakh coordinator
                # read the Russian of a colleague's session), and under no column.
                row.errors = errors_of(exc)
                continue
            row.outcome = ImportRow.Outcome.UPDATED if updated else ImportRow.Outcome.SKIPPED
            row.volunteer_id = target
        for row in chunk:
            counts[row.outcome] += 1
            if row.number in targets and row.volunteer_id:
                targets[row.number] = row.volunteer_id
        _record_outcomes(chunk)
        for row in chunk:
            # A fill that changed a record, or failed on it: few rows, each written as it is.
            if row.outcome == ImportRow.Outcome.UPDATED or (
                row.outcome == ImportRow.Outcome.FAILED and not row.has_errors
            ):
                ImportRow.objects.filter(pk=row.pk).update(volunteer_id=row.volunteer_id, errors=row.errors)
        done += len(chunk)
        _progress(batch.pk, done, batch.total_rows)
    batch.created_count = counts[ImportRow.Outcome.CREATED]
    batch.updated_count = counts[ImportRow.Outcome.UPDATED]
    batch.skipped_count = counts[ImportRow.Outcome.SKIPPED]
    batch.failed_count = counts[ImportRow.Outcome.FAILED]
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    # Imported: the file has served its purpose. "Done" and the emptied path commit together (a
    # page that saw "done" then still saw the path); the file itself goes once that has committed.
    if batch.file_path:
        imported = Path(batch.file_path)
        transaction.on_commit(lambda: imported.unlink(missing_ok=True))
        batch.file_path = ""
    batch.save()
    audit_record(
        actor=by,
        action=AuditEntry.Action.IMPORTED,
        subject=batch,
        region_code=batch.region.code,
        rows=batch.created_count + batch.updated_count,
        detail={
            "file": batch.file_name,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "skipped": batch.skipped_count,
            "failed": batch.failed_count,
        },
    )
    return batch


@transaction.atomic
def batch_discard(*, batch: ImportBatch, by: User) -> None:
    """Drop an upload that is not to be imported: its rows and its file."""
    locked = _lock_idle(batch)
    if locked.is_busy and not batch_stalled(batch=locked):
        # Busy, and not yet long enough to be taken for lost.
        raise ValidationError(_("This file is being processed; wait until it is done."))
    ImportRow.objects.filter(batch=locked).delete()
    _delete_file(locked)
    locked.file_path = ""
    locked.status = ImportBatch.Status.EXPIRED if locked.status != ImportBatch.Status.DONE else locked.status
    locked.save(update_fields=["file_path", "status"])


# A check or an import that has not begun this long after it was handed to a worker is taken
# for lost (the worker died, Redis lost the queue): a queue is seconds long, the work itself
# holds the batch's row (batch_validate, _import_locked) and is never taken for lost however long.
STALLED_AFTER = datetime.timedelta(minutes=10)


def _held_by_a_worker(batch_id: int) -> bool:
    """Whether a check or an import holds the batch's row now (call inside a transaction)."""
    return not ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch_id).exists()


def batch_stalled(*, batch: ImportBatch, now: datetime.datetime | None = None) -> bool:
    """Busy on the page, but no worker at it for STALLED_AFTER: the task was lost. Without a
    way out such a batch said "checking" or "importing" for ever, and could not be discarded."""
    if not batch.is_busy:
        return False
    since = batch.queued_at or batch.created_at
    if (now or timezone.now()) - since < STALLED_AFTER:
        return False
    with transaction.atomic():
        return not _held_by_a_worker(batch.pk)


def batch_restart(*, batch: ImportBatch, by: User) -> ImportBatch:
    """A stalled batch back to the step it was at: a check is started again, an import goes back
    to the checked rows, to be confirmed and imported again (nothing of it was written: the
    import is one transaction). Should the lost task come back after all, it finds the batch no
    longer waiting for it, or waits for the row and then finds the work done: no row twice."""
    with transaction.atomic():
        locked = _lock_idle(batch)
        if not batch_stalled(batch=locked):
            raise ValidationError(_("This file is being processed; wait until it is done."))
        checking = locked.status == ImportBatch.Status.VALIDATING
        locked.status = ImportBatch.Status.UPLOADED if checking else ImportBatch.Status.VALIDATED
        locked.save(update_fields=["status"])
    logger.warning("roster import %s restarted by user %s after its task was lost", batch.pk, by.pk)
    if checking:
        return batch_check(batch=locked, by=by)
    return locked


def batches_clean_up(*, now: datetime.datetime | None = None) -> int:
    """Files and rows are kept only as long as needed: a day after upload at most. Returns the
    number of batches cleaned."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.IMPORT_KEEP_HOURS)
    old = ImportBatch.objects.filter(created_at__lt=cutoff).exclude(file_path="", rows__isnull=True)
    cleaned = 0
    for pk in list(old.values_list("pk", flat=True).distinct()):
        with transaction.atomic():
            # A busy batch a day old is one whose task was lost (skipped, its file and rows
            # stayed for ever); one that a worker holds is still at work and is left to it.
            batch = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if batch is None:
                continue
            _delete_file(batch)
            ImportRow.objects.filter(batch=batch).delete()
            new_status = (
                batch.status
                if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED)
                else ImportBatch.Status.EXPIRED
            )
            ImportBatch.objects.filter(pk=batch.pk).update(file_path="", status=new_status)
        cleaned += 1
    _orphans_delete(cutoff)
    return cleaned


def _orphans_delete(cutoff: datetime.datetime) -> None:
    """Delete old files that no batch names: an imported file is deleted just after its commit,
    and a worker stopped between the two would otherwise leave it for ever."""
    folder = Path(settings.IMPORT_DIR)
    if not folder.is_dir():
        return
    named = set(ImportBatch.objects.exclude(file_path="").values_list("file_path", flat=True))
    for path in folder.iterdir():
        # Recent files may be uploads whose batch is not yet saved.
        if path.is_file() and str(path) not in named and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
