"""Records that reports/ keeps of its own: export jobs run in the background, and certificates
of volunteer hours. Everything else here is read from the apps below."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from volunteer_net.choices import ChoiceLabels
from volunteers.models import Volunteer


class ExportJob(ChoiceLabels, models.Model):
    """A large export built by a Celery worker into a file that only its requester may fetch,
    until it expires (then a periodic task deletes the file)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        # Its own context: a notification's "Failed" means "not sent", which an export is not.
        FAILED = "failed", pgettext_lazy("export status", "Failed")
        EXPIRED = "expired", _("Expired")

    class Failure(models.TextChoices):
        # Why a job failed, as its requester is told on the progress page.
        STOPPED = "stopped", _("The export stopped before it was finished. Please run it again.")
        NOT_STARTED = "not_started", _("The export could not be started in time. Please run it again.")
        DISK_FULL = (
            "disk_full",
            _(
                "There is no room left on the server to save the file. Please try again later or choose "
                "a shorter period; if it happens again, tell the administrator."
            ),
        )
        ERROR = (
            "error",
            _("The export failed. Please run it again; if it fails again, tell the administrator."),
        )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    kind = models.CharField(_("report"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4)
    # The chosen period and scope (ids and dates), replayed by the worker as the requester; a
    # roster export's search text too, but only until a worker takes the job up
    # (services.export_jobs_forget_search).
    params = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=8, default="kk")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    failure = models.CharField(_("reason of failure"), max_length=12, choices=Failure.choices, blank=True)
    # Renewed by the running worker with every batch of rows (the database's clock): a job whose
    # worker was killed stops renewing it and is failed after REPORTS_EXPORT_STALL_SECONDS.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["status", "expires_at"], name="exportjob_status_expires")]

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    @property
    def is_available(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class Certificate(models.Model):
    """A certificate of a volunteer's hours over a period. What it states is frozen when it is
    issued (name, hours, campaigns), so that the public verification page confirms exactly what
    was printed, even after the profile changes."""

    code = models.CharField(_("verification code"), max_length=24, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("volunteer")
    )
    holder_name = models.CharField(_("name"), max_length=300)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)
    # [{"title": ..., "hours": "12.50"}, ...] — campaign titles and hours, as printed.
    campaigns = models.JSONField(_("campaigns"), default=list)
    language = models.CharField(_("language"), max_length=8)
    issuer = models.CharField(_("issued by"), max_length=300)
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate of hours")
        verbose_name_plural = _("certificates of hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="certificate_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def holder_erased(self) -> bool:
        """The holder's personal data was erased at their request: the name frozen here is blanked
        by erasure (services.volunteer_certificates_anonymize) and is never blank otherwise, since
        a certificate is issued only to a profile not erased."""
        return not self.holder_name


class SignupCounts(models.Model):
    """One campaign's sign-ups counted by status, and the attended hours: the columns of the day
    and month summaries (reports/summary.py keeps both)."""

    campaign = models.ForeignKey(
        "events.Campaign", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    signups = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)
    waitlisted = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        abstract = True


class SignupDaySummary(SignupCounts):
    """Sign-ups of one campaign's shifts starting on one Almaty day: counts by status and the
    attended hours. Kept by PostgreSQL triggers on events_signup and events_shift (migration
    0002), so every path that writes sign-ups — services, admin, bulk loads — keeps it exact, in
    the same transaction. Dashboards add these rows up instead of the sign-ups themselves (a
    year is some tens of thousands of rows, not hundreds of thousands); region, kind and direction
    come from the campaign at read time, so editing a campaign needs no upkeep here."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="signup_summary_key")]
        indexes = [models.Index(fields=["day", "campaign"], name="signup_summary_day")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


class SignupMonthSummary(SignupCounts):
    """SignupDaySummary added up by Almaty month (`month` is its first day), kept by a PostgreSQL
    trigger on the day summary's rows (reports/summary.py, migration 0015). A dashboard's period
    reads its whole months here and only its partial first and last months from the day rows: a
    year is some ten thousand rows instead of forty thousand."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "month"], name="signup_month_key")]
        indexes = [models.Index(fields=["month", "campaign"], name="signup_month_month")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.month:%Y-%m}"


class DateMultiRangeField(models.Field):
    """A PostgreSQL datemultirange, read as its text (only SQL in reports/activity.py reads or
    writes it). Other databases get a text column that stays empty: they have no triggers."""

    def db_type(self, connection: Any) -> str:
        return "datemultirange" if connection.vendor == "postgresql" else "text"


class VolunteerActivity(models.Model):
    """The Almaty days on which one volunteer has an attended sign-up, per campaign region key
    (the region's id, 0 for national campaigns, -1 for every campaign): one row per person and
    key, so the dashboard counts distinct active people as plain rows. Kept exact by PostgreSQL
    triggers (reports/activity.py, installed and filled by migration 0005).

    volunteer_id is not a foreign key on purpose: the volunteers' merge moves every relation of
    the dropped record to the kept one, and these rows follow the moved sign-ups instead."""

    volunteer_id = models.BigIntegerField()
    region_key = models.IntegerField()
    days = DateMultiRangeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer_id", "region_key"], name="volunteer_activity_key")
        ]
        indexes = [models.Index(fields=["region_key"], name="volunteer_activity_region")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.region_key}"


class RegistrationDaySummary(models.Model):
    """Volunteers on file (not anonymised) by region and Almaty day of registration. Kept by a
    PostgreSQL trigger on volunteers_volunteer (reports/registrations.py, installed and filled by
    migration 0007): the dashboard adds these rows up instead of reading every volunteer."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    volunteers = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="registration_summary_key")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class HelpRequestDaySummary(models.Model):
    """Help requests taken on one Almaty day in one region, of one kind: how many, and how many
    are done, open (new, assigned or in progress), not helped and cancelled. Kept by PostgreSQL
    triggers on care_helprequest (reports/requestsummary.py, installed and filled by migration
    0011): the dashboard's help-requests section adds these rows up instead of every request.
    Whether an open request is overdue depends on the hour it is read: that stays a live count."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    kind = models.CharField(max_length=20)
    requests = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    cannot_help = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "day", "kind"], name="help_request_summary_key")
        ]
        indexes = [models.Index(fields=["day", "region"], name="help_request_summary_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.kind}"


class CareDaySummary(models.Model):
    """Done care assignments (targeted help) by request region, Almaty day of completion and
    detachment: their count and hours. Kept by PostgreSQL triggers on care_assignment,
    care_helprequest and volunteers_volunteer (reports/care_summary.py, installed and filled by
    migrations 0012 and 0013): the dashboard's hours of targeted help add these rows up instead of the
    assignments.

    The detachment is the assignment's own or else its volunteer's current one (NULL for neither),
    as the live figures group it; a volunteer changing detachment moves their rows' hours along."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    # No constraint: a deleted detachment's rows are left at zero, and a row may name one that
    # no longer exists (it is read as a key only).
    detachment = models.ForeignKey(
        "detachments.Detachment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    assignments = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "detachment"], name="care_summary_key", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["day", "region"], name="care_summary_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.detachment_id}"


class VisitDaySummary(models.Model):
    """Front-office visits of one office on one Almaty day: counts by status; of the visits that
    took place or are booked (not cancelled) the walk-ins, evening, weekend and evening-or-weekend
    ones, and how many had each purpose and each outcome (outcome_none: not recorded yet) — what
    reports/visits.py counts. Kept by PostgreSQL triggers on front_offices_visit
    (reports/visit_summary.py, installed and filled by migration 0014): the dashboard adds these
    rows up instead of reading the visits. One row per office and day, the purposes and outcomes
    as columns: a national year is a few thousand rows (a row per purpose and outcome too would
    be half as many as the visits). A purpose or outcome added to front_offices needs its column
    here (tests/reports/test_visit_summary.py checks). The region comes from the office at read
    time, so moving an office to another region needs no upkeep here."""

    office = models.ForeignKey(
        "front_offices.FrontOffice", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    booked = models.IntegerField(default=0)
    arrived = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    walk_in = models.IntegerField(default=0)
    evening = models.IntegerField(default=0)
    weekend = models.IntegerField(default=0)
    flexible = models.IntegerField(default=0)
    purpose_consultation = models.IntegerField(default=0)
    purpose_registration = models.IntegerField(default=0)
    purpose_project_support = models.IntegerField(default=0)
    purpose_certificate = models.IntegerField(default=0)
    purpose_transport = models.IntegerField(default=0)
    purpose_other = models.IntegerField(default=0)
    outcome_registered = models.IntegerField(default=0)
    outcome_consulted = models.IntegerField(default=0)
    outcome_certificate_issued = models.IntegerField(default=0)
    outcome_transport_arranged = models.IntegerField(default=0)
    outcome_project_helped = models.IntegerField(default=0)
    outcome_referred = models.IntegerField(default=0)
    outcome_other = models.IntegerField(default=0)
    outcome_none = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="visit_summary_key")]
        indexes = [models.Index(fields=["day", "office"], name="visit_summary_day")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day}"
