"""Front offices, their opening hours, visit slots and visits.

Slots are stored (one row per office and start time, generated from the schedule ahead of a
horizon by `services.slots_sync`): a booking locks its slot's row and bumps a counter that a CHECK
constraint keeps within the capacity, so no interleaving of requests can overbook a slot. The
schedule itself is read through `schedule.day_intervals`, the one place that knows how the weekly
hours, a temporary schedule and the exceptions of a date combine.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.validators import validate_point_in_kazakhstan
from volunteer_net.choices import ChoiceLabels


class Service(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    REGISTRATION = "registration", _("Volunteer registration")
    PROJECT_SUPPORT = "project_support", _("Project support")
    CERTIFICATE = "certificate", _("Certificate of hours")
    TRANSPORT = "transport", _("Transport support")
    OTHER = "other", _("Other")


class FrontOffice(models.Model):
    """A regional volunteer front office, its staff and what it offers."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="front_offices", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    services = models.JSONField(
        _("services offered"), default=list, blank=True, help_text=_("Codes of the services offered.")
    )
    visit_minutes = models.PositiveSmallIntegerField(_("visit length, minutes"), default=30)
    visitors_at_once = models.PositiveSmallIntegerField(_("visitors seen at once"), default=2)
    languages = models.CharField(
        _("languages spoken"), max_length=100, blank=True, default="kk,ru", help_text=_("e.g. kk,ru,en")
    )
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="front_offices",
        verbose_name=_("front-office staff"),
        help_text=_("People who keep this office's hours and check visitors in."),
    )

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("front office")
        verbose_name_plural = _("front offices")
        constraints = [
            models.CheckConstraint(condition=models.Q(visit_minutes__gte=5), name="office_visit_minutes_min"),
            models.CheckConstraint(condition=models.Q(visitors_at_once__gte=1), name="office_visitors_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        from volunteers.validators import format_phone

        return format_phone(self.phone)

    @property
    def language_names(self) -> list[str]:
        """The languages spoken, named in the reader's language: "kk,ru" reads "Қазақ тілі, Орыс
        тілі" on a Kazakh page. A code Django does not know is shown as typed."""
        names = []
        for code in (part.strip().lower() for part in self.languages.split(",")):
            if not code:
                continue
            try:
                names.append(str(get_language_info(code)["name_translated"]))
            except KeyError:
                names.append(code)
        return names

    @property
    def service_labels(self) -> list[str]:
        labels = dict(Service.choices)
        return [str(labels[code]) for code in self.services if code in labels]

    def clean(self) -> None:
        """The rules every write path shares (the coordinators' page, the admin)."""
        from volunteers.validators import normalize_phone

        errors: dict[str, list[ValidationError]] = {}
        try:
            self.phone = normalize_phone(self.phone)
        except ValidationError as exc:
            errors["phone"] = [exc]
        try:
            validate_point_in_kazakhstan(self.latitude, self.longitude)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
        # The admin's JSON box takes any JSON: nothing typed is no services, a number or a text
        # is no list of codes.
        if self.services is None:
            self.services = []
        unknown: list[object] = []
        if not isinstance(self.services, list):
            errors["services"] = [ValidationError(_("Give the services as a list of codes."))]
        else:
            unknown = [
                code for code in self.services if not isinstance(code, str) or code not in Service.values
            ]
        if unknown:
            errors["services"] = [
                ValidationError(_("Unknown service: %(code)s."), params={"code": unknown[0]})
            ]
        if errors:
            raise ValidationError(errors)


def _check_interval(opens: datetime.time | None, closes: datetime.time | None) -> None:
    # 00:00 as the closing time means midnight, the end of the day.
    if opens is not None and closes is not None and closes != datetime.time(0) and closes <= opens:
        raise ValidationError({"closes": _("The closing time must be after the opening time.")})


def _minutes(at: datetime.time, *, closing: bool = False) -> int:
    # 00:00 as the closing time means midnight, the end of the day.
    return 24 * 60 if closing and at == datetime.time(0) else at.hour * 60 + at.minute


class OpeningHours(ChoiceLabels, models.Model):
    """One interval of a weekday (several per day allowed: 09:00–13:00 and 14:00–20:00).

    Without a period it is the regular weekly schedule; with one it belongs to a temporary schedule
    that replaces the regular one on every date of its period (weekdays it does not list: closed).
    """

    office = models.ForeignKey(FrontOffice, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight."))
    valid_from = models.DateField(_("temporary schedule from"), null=True, blank=True)
    valid_until = models.DateField(_("temporary schedule until"), null=True, blank=True)

    class Meta:
        ordering = ["office", "valid_from", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="hours_weekday_valid"),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True, valid_until__isnull=True)
                | models.Q(
                    valid_from__isnull=False,
                    valid_until__isnull=False,
                    valid_until__gte=models.F("valid_from"),
                ),
                name="hours_period_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        _check_interval(self.opens, self.closes)
        if (self.valid_from is None) != (self.valid_until is None):
            raise ValidationError({"valid_until": _("A temporary schedule needs both dates of its period.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The period ends before it starts.")})
        self._check_overlap()

    def _check_overlap(self) -> None:
        """Two intervals of one day (of the week, or of one temporary schedule) may meet but not
        overlap: 09:00–13:00 and 12:15–15:00 cut visits that overlap (12:30 and 12:15), each with
        its places, so the office would receive twice the visitors it can at those times, and the
        page would list both intervals as if both were true."""
        if self.office_id is None or self.opens is None or self.closes is None or self.weekday is None:
            return
        siblings = OpeningHours.objects.filter(
            office_id=self.office_id,
            weekday=self.weekday,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        ).exclude(pk=self.pk)
        end = _minutes(self.closes, closing=True)
        for other in siblings:
            if _minutes(self.opens) < _minutes(other.closes, closing=True) and _minutes(other.opens) < end:
                raise ValidationError(
                    {
                        "opens": _("This overlaps %(interval)s of the same day.")
                        % {"interval": f"{other.opens:%H:%M}–{other.closes:%H:%M}"}
                    }
                )


class ScheduleException(models.Model):
    """A date off the weekly schedule: closed (no times), or special hours (one row per interval).
    Without an office it is a public holiday of Kazakhstan: every office is closed."""

    office = models.ForeignKey(
        FrontOffice, on_delete=models.CASCADE, related_name="exceptions", null=True, blank=True
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True, help_text=_("Empty: closed all day."))
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "opens"]
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        indexes = [models.Index(fields=["date"], name="fo_exception_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False, office__isnull=False),
                name="exception_hours_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason_display}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language: a national row on a public day off of the law is
        named from the holiday table (its stored text is in one language, or two, from whenever
        it was recorded); anything else as the staff typed it."""
        if self.office_id is None:
            from .schedule import public_holiday_name

            name = public_holiday_name(self.date)
            if name is not None:
                return str(name)
        return self.reason

    @property
    def closed(self) -> bool:
        return self.opens is None

    def clean(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValidationError({"closes": _("Give both times, or neither for a closed day.")})
        if self.opens is not None and self.office_id is None:
            raise ValidationError({"office": _("Special hours belong to one office.")})
        _check_interval(self.opens, self.closes)


class VisitSlot(models.Model):
    office = models.ForeignKey(FrontOffice, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The Almaty date and its kind, fixed when the slot is made: pages, filters and reports read
    # them without converting times.
    local_date = models.DateField(_("date"))
    is_evening = models.BooleanField(_("evening"), default=False)
    is_weekend = models.BooleanField(_("weekend"), default=False)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    taken = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    blocked_reason = models.CharField(_("blocked because"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("visit slot")
        verbose_name_plural = _("visit slots")
        indexes = [
            models.Index(fields=["office", "local_date", "starts_at"], name="fo_slot_office_day"),
            # "Next free visit": the first open slot with a free place, per office.
            models.Index(
                fields=["office", "starts_at"],
                name="fo_slot_free",
                condition=models.Q(blocked_reason="", capacity__gt=models.F("taken")),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["office", "starts_at"], name="slot_once_per_start"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="slot_taken_within_capacity"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return 0 if self.blocked_reason else max(0, self.capacity - self.taken)


# What a visit is for: the same list as the services an office offers.
Purpose = Service


class Visit(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        REGISTERED = "registered", _("Registered as a volunteer")
        CONSULTED = "consulted", _("Consulted")
        CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
        TRANSPORT_ARRANGED = "transport_arranged", _("Transport arranged")
        PROJECT_HELPED = "project_helped", _("Project supported")
        REFERRED = "referred", _("Referred elsewhere")
        OTHER = "other", _("Other")

    office = models.ForeignKey(FrontOffice, on_delete=models.PROTECT, related_name="visits")
    # Empty for a walk-in: they are seen between bookings and hold no slot's place.
    slot = models.ForeignKey(
        VisitSlot, on_delete=models.PROTECT, related_name="visits", null=True, blank=True
    )
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.CASCADE, related_name="visits")
    starts_at = models.DateTimeField(_("time"))
    local_date = models.DateField(_("date"))
    is_evening = models.BooleanField(_("evening"), default=False)
    is_weekend = models.BooleanField(_("weekend"), default=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # When its time last changed: a calendar that holds the visit takes the new time only from a
    # higher SEQUENCE (ics.py).
    moved_at = models.DateTimeField(_("moved at"), null=True, blank=True, editable=False)

    ACTIVE = (Status.BOOKED, Status.ARRIVED, Status.NO_SHOW)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["office", "local_date"], name="fo_visit_office_day"),
            models.Index(fields=["volunteer", "starts_at"], name="fo_visit_person"),
            models.Index(fields=["local_date"], name="fo_visit_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "volunteer"],
                condition=~models.Q(status="cancelled"),
                name="visit_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.office}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED
