"""An upload and its rows, kept only until imported (or a day) with the validation results
stored per row, so that the preview pages through them without holding the file in memory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regions.models import Region
from volunteer_net.choices import ChoiceLabels


class DuplicateChoice(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    FILL = "fill", _("Fill the empty fields of the record on file")
    CREATE = "create", _("Create a new record anyway")


class ImportBatch(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, columns to map")
        VALIDATING = "validating", _("Checking the rows")
        VALIDATED = "validated", _("Checked, ready to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        # Contexts: "Failed" and "Expired" are also the words of unrelated statuses (a notification
        # not sent, an export), which other languages put differently.
        FAILED = "failed", pgettext_lazy("import status", "Failed")
        EXPIRED = "expired", pgettext_lazy("import status", "Expired")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The region the list belongs to: who may see the batch, and the rows' region when the file
    # has no region column.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    file_name = models.CharField(_("file"), max_length=255)
    file_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(max_length=4)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    sheets = models.JSONField(default=list, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list, blank=True)
    # Column index (as text) → field key.
    mapping = models.JSONField(default=dict, blank=True)
    estimated_rows = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    duplicate_choice = models.CharField(
        _("for every duplicate"), max_length=6, choices=DuplicateChoice.choices, default=DuplicateChoice.SKIP
    )
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    consent_date = models.DateField(_("date of the paper consents"), null=True, blank=True)
    failure = models.TextField(blank=True)
    # Rows with data that the sheet hides (by hand or by a filter): left out, and the preview
    # says which.
    hidden_rows = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # When the check or the import was last handed to a worker (or begun in the request): one
    # not under way long after that was lost (services.batch_stalled).
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)


class ImportRow(ChoiceLabels, models.Model):
    """One data row of the file: what it said (per mapped field), the values it becomes, the
    errors per field (message ids and parameters, shown in the reader's language) and what the
    import did with it."""

    class Outcome(models.TextChoices):
        # What became of one row (a "row" is feminine in Russian: «создана»); not the columns'
        # "created"/"updated", hence the context.
        CREATED = "created", pgettext_lazy("import row result", "created")
        UPDATED = "updated", pgettext_lazy("import row result", "updated")
        SKIPPED = "skipped", pgettext_lazy("import row result", "skipped")
        FAILED = "failed", pgettext_lazy("import row result", "failed")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    cells = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    errors = models.JSONField(default=dict)
    has_errors = models.BooleanField(default=False)
    # The IIN, or its keyed hash where the roster keeps IINs encrypted (validation.iin_key).
    key_iin = models.CharField(max_length=128, blank=True)
    key_phone = models.CharField(max_length=16, blank=True)
    key_email = models.CharField(max_length=254, blank=True)
    # name|birth date|region: catches a row without contacts imported before (the file's
    # repeats through key_person, the roster's through its parts).
    key_person = models.CharField(max_length=400, blank=True)
    key_name = models.CharField(max_length=320, blank=True)
    key_birth = models.DateField(null=True, blank=True)
    key_region = models.PositiveIntegerField(null=True, blank=True)
    same_as_row = models.PositiveIntegerField(null=True, blank=True)
    existing_id = models.PositiveIntegerField(null=True, blank=True)
    duplicate_reason = models.CharField(max_length=10, blank=True)
    choice = models.CharField(max_length=6, choices=DuplicateChoice.choices, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    volunteer_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="import_row_number")]
        indexes = [
            models.Index(fields=["batch", "key_iin", "number"], name="import_row_iin"),
            models.Index(fields=["batch", "key_phone", "number"], name="import_row_phone"),
            models.Index(fields=["batch", "key_email", "number"], name="import_row_email"),
            models.Index(fields=["batch", "key_person", "number"], name="import_row_person"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"

    @property
    def is_duplicate(self) -> bool:
        return self.same_as_row is not None or self.existing_id is not None


class ImportMapping(models.Model):
    """The last mapping a coordinator chose, by header text, offered again on the next file."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user_id)
