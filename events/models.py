"""Campaigns, their shifts, and volunteers' sign-ups with waitlist, attendance and hours.

Every write goes through events/services.py, which holds the rules (capacity under a row lock,
age and consent, overlaps); the constraints below are the database's backstop for them.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import ExtractWeekDay
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from volunteer_net.choices import ChoiceLabels
from volunteer_net.dates import when_text
from volunteers.models import Skill, Volunteer


class Campaign(ChoiceLabels, models.Model):
    """A volunteer action (an eco clean-up, help for lonely pensioners, a flood response, …),
    regional, or national when it has no region."""

    class Kind(models.TextChoices):
        ECOLOGY = "ecology", _("Ecology")
        ELDERLY = "elderly", _("Care for the elderly and lonely pensioners")
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        HERITAGE = "heritage", _("Heritage")
        CREATIVE = "creative", _("Creative initiatives")
        SPORT = "sport", _("Sport and public events")
        EMERGENCY = "emergency", _("Emergency response")
        OTHER = "other", _("Other")

    class Direction(models.TextChoices):
        """The seven directions of the national volunteer platform (their names are Kazakh)."""

        BILIM = "bilim", _("Bilim (knowledge)")
        QAMQOR = "qamqor", _("Qamqor (care)")
        UMIT = "umit", _("Úmit (hope)")
        SABAQTASTYQ = "sabaqtastyq", _("Sabaqtastyq (continuity)")
        TAZA_ALEM = "taza_alem", _("Taza Álem (clean world)")
        SAULYQ = "saulyq", _("Saúlyq (health)")
        ASYL_MURA = "asyl_mura", _("Asyl mura (precious heritage)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cover_text = models.CharField(
        _("public summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in the list of campaigns."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("national direction"), max_length=20, choices=Direction.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("region"),
        help_text=_("Empty for a national campaign."),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_campaigns",
        verbose_name=_("organiser"),
    )
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("A phone or e-mail for volunteers' questions.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["starts_on", "title", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["status", "ends_on"], name="campaign_status_ends"),
            models.Index(fields=["region", "status"], name="campaign_region_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("The campaign cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_national(self) -> bool:
        return self.region_id is None

    @property
    def is_open(self) -> bool:
        """Whether volunteers may sign up for its shifts at all."""
        return self.status == self.Status.PUBLISHED


class ShiftSeries(models.Model):
    """How a weekly recurring series was created (weekdays, times, weeks); its shifts are
    ordinary shifts that point back here, each editable or cancellable on its own."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="series", verbose_name=_("campaign")
    )
    weekdays = models.JSONField(_("weekdays"), default=list, help_text=_("ISO weekdays, 1 = Monday."))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    first_date = models.DateField(_("first date"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring series")
        verbose_name_plural = _("recurring series")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.first_date:%Y-%m-%d} × {self.weeks}"


# Shifts are entered and shown in Almaty time; their "weekends" are Almaty's.
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
# Django's week_day: 1 = Sunday, 7 = Saturday.
WEEKEND_DAYS = (1, 7)


def weekend_shifts() -> models.Q:
    """Shifts not cancelled that start on a Saturday or a Sunday in Almaty.

    The partial index shift_weekend_starts (migration 0008) is created from this very condition:
    PostgreSQL uses a partial index only when the query repeats its predicate expression for
    expression, so the campaign and shift filters take it from here too. The time zone is named,
    not the current one, so that the index and the filter cannot disagree."""
    weekday = ExtractWeekDay("starts_at", tzinfo=ALMATY)
    return models.Q(In(weekday, WEEKEND_DAYS), cancelled_at__isnull=True)


class Shift(models.Model):
    """A time window at a place with a number of places. Times are stored in UTC and entered
    and shown in Asia/Almaty (UTC+5)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("campaign")
    )
    place_name = models.CharField(_("place"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    # People holding a place (confirmed or checked in). Kept by events/services.py under the
    # shift's row lock, so that "free places" lists and filters need no count per shift; the
    # check constraint below makes "never over capacity" the database's rule too.
    taken_places = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    required_skills = models.ManyToManyField(
        Skill, blank=True, related_name="shifts", verbose_name=_("required skills")
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("On the day of the shift.")
    )
    adults_only = models.BooleanField(
        _("adults only"), default=False, help_text=_("Heavy or hazardous work: nobody under 18.")
    )
    signup_deadline = models.DateTimeField(_("sign-up deadline"), null=True, blank=True)
    waitlist_enabled = models.BooleanField(_("waitlist when full"), default=True)
    notes = models.TextField(_("notes for volunteers"), blank=True)
    series = models.ForeignKey(
        ShiftSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("recurring series"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [
            models.Index(fields=["campaign", "starts_at"], name="shift_campaign_starts"),
            models.Index(fields=["starts_at"], name="shift_starts"),
            # Open shifts of the campaigns in a region (the API's list and its count): an
            # index-only scan per campaign instead of a scan of every shift (50k: 13 -> 0.4 ms).
            # The point is carried too, so that "Nearest to me" reads each campaign's closest
            # upcoming shift from the index, not from a heap page per shift.
            models.Index(
                fields=["campaign", "starts_at"],
                name="shift_open_campaign_starts",
                condition=models.Q(cancelled_at__isnull=True),
                include=["latitude", "longitude"],
            ),
            # "Nearest to me": the campaigns with an open shift in the box around a person, found
            # in one index-only pass (~2 700 of ~50 000 shifts near Almaty) instead of reading
            # every campaign's upcoming shifts (4 800 -> ~650 buffers).
            models.Index(
                fields=["latitude", "longitude"],
                name="shift_open_lat_lon",
                condition=models.Q(cancelled_at__isnull=True),
                include=["starts_at", "campaign"],
            ),
            # Open shifts with free places ("free" on the API and the lists): 14k of 50k rows read
            # index-only instead of scanning them all (16 -> 3.6 ms). A sign-up now rewrites this
            # index entry (taken_places is in the predicate) — one row, under the shift's lock anyway.
            # It carries the sign-up deadline that "free" also checks: without it each of those
            # rows was read from the table, and the API's count of free shifts scanned all 50k.
            models.Index(
                fields=["campaign", "starts_at"],
                name="shift_free_campaign_starts",
                condition=models.Q(cancelled_at__isnull=True, capacity__gt=models.F("taken_places")),
                include=["signup_deadline"],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="shift_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(taken_places__lte=models.F("capacity")), name="shift_taken_within_capacity"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("The shift must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        # People read this name: the transport board's heading and tab title, the choices of
        # "move to another shift", the admin. Hence the reader's language, not an ISO date.
        return f"{self.place_name} · {when_text(self.starts_at)}"

    @property
    def local_date(self) -> datetime.date:
        """The Almaty date of the start: ages and consent are judged on this day."""
        return timezone.localtime(self.starts_at).date()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def duration_hours(self) -> Decimal:
        """The shift window in hours (two decimals); across midnight it is still end − start."""
        seconds = Decimal((self.ends_at - self.starts_at).total_seconds())
        return (seconds / 3600).quantize(Decimal("0.01"))

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.taken_places)

    @property
    def requires_adult(self) -> bool:
        # Law 42-VI art. 12: nobody under 18 in emergency or disaster response.
        return self.adults_only or self.campaign.kind == Campaign.Kind.EMERGENCY


class Signup(ChoiceLabels, models.Model):
    """One volunteer on one shift. The waitlist is ordered by `created_at` (then id)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    # A person holds at most one of these per shift (partial unique index below).
    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.ATTENDED)

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    # PROTECT: volunteers are anonymised rather than deleted, so that hours still add up.
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed up by"),
    )
    promoted_at = models.DateTimeField(_("moved from the waitlist at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    # Set on the place given up when a coordinator moved the person to another shift: the old
    # shift's roster then says where they went instead of "cancelled", and the history keeps why.
    moved_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved to"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    hours_reason = models.CharField(_("reason for the hours"), max_length=200, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance marked by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        indexes = [
            models.Index(fields=["shift", "status", "created_at"], name="signup_shift_status"),
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_status"),
            # A group of people's attended shifts and hours (a detachment's, one person's) read
            # from the index alone, without visiting the rows of their other sign-ups.
            models.Index(
                fields=["volunteer"],
                include=["shift", "hours"],
                condition=models.Q(status="attended"),
                name="signup_attended_volunteer",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=models.Q(status__in=["confirmed", "waitlisted", "attended"]),
                name="signup_one_active_per_volunteer",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gte=0),
                name="signup_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.shift}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class CalendarFeed(models.Model):
    """A volunteer's personal calendar subscription: a secret address that a phone's calendar
    reads on its own, without logging in. Whoever has the address sees the person's shifts, so
    it can be revoked or replaced from "my shifts" (a new token makes the old address a 404)."""

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("volunteer")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.volunteer)


class TransportRequest(ChoiceLabels, models.Model):
    """A volunteer's request for a lift to a shift they hold a place (or a waitlist place) on.
    One per sign-up; editable and cancellable by the volunteer until the coordinator answers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ARRANGED = "arranged", _("Transport arranged")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    # A request a car may still be sent for: asked and not yet answered, or arranged.
    OPEN = (Status.PENDING, Status.ARRANGED)

    signup = models.OneToOneField(
        Signup, on_delete=models.CASCADE, related_name="transport", verbose_name=_("sign-up")
    )
    pickup = models.CharField(_("pickup point"), max_length=200)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The coordinator's grouping of riders into one car or bus: a free label ("1", "bus A").
    group = models.CharField(_("group"), max_length=30, blank=True)
    driver_name = models.CharField(_("driver"), max_length=100, blank=True)
    driver_phone = models.CharField(_("driver's phone"), max_length=20, blank=True)
    departure_at = models.DateTimeField(_("departure time"), null=True, blank=True)
    departure_place = models.CharField(_("departure place"), max_length=200, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # When the shift's time or place changed after the lift was arranged: the departure may no
    # longer fit, so the board asks the coordinator to confirm or change it, and the volunteer
    # is told it will be confirmed again. Answering the request again clears it.
    recheck_since = models.DateTimeField(_("shift changed since it was arranged"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("transport request")
        verbose_name_plural = _("transport requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1, seats__lte=4), name="transport_seats_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signup} · {self.pickup}"

    @property
    def is_answered(self) -> bool:
        return self.status in (self.Status.ARRANGED, self.Status.DECLINED)

    @property
    def driver_phone_display(self) -> str:
        from volunteers.validators import format_phone

        return format_phone(self.driver_phone)


class CallOut(models.Model):
    """An urgent call to the adult, active volunteers of an emergency campaign's region,
    optionally only those with some skills, or only those whose area (the point a volunteer may
    give on their profile, kept to about a kilometre) lies within `radius_km` of a point."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="callouts", verbose_name=_("campaign")
    )
    text = models.TextField(_("message"))
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("skills"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    radius_km = models.PositiveSmallIntegerField(_("within, km"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("call-out")
        verbose_name_plural = _("call-outs")

    def __str__(self) -> str:
        return f"{self.campaign} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CallOutAnswer(ChoiceLabels, models.Model):
    """One volunteer called out, and their answer from the signed link."""

    class Answer(models.TextChoices):
        NONE = "none", _("No answer yet")
        YES = "yes", _("Yes, I can come")
        NO = "no", _("No, I cannot")

    callout = models.ForeignKey(
        CallOut, on_delete=models.CASCADE, related_name="answers", verbose_name=_("call-out")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="+", verbose_name=_("volunteer")
    )
    answer = models.CharField(_("answer"), max_length=4, choices=Answer.choices, default=Answer.NONE)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # A random part of the signed link: a link is bound to this row's secret, not only its id.
    token = models.CharField(max_length=32, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("call-out answer")
        verbose_name_plural = _("call-out answers")
        constraints = [
            models.UniqueConstraint(fields=["callout", "volunteer"], name="callout_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.callout} · {self.volunteer}: {self.answer}"
