"""Targeted help: beneficiaries (lonely pensioners, people in need), their help requests and the
volunteers or detachments assigned to them.

A beneficiary's name, phone, address and point are the most sensitive data in the system: they
are shown only to staff of the region and to those assigned (see `selectors.may_see_contact`),
every view is written to the audit trail, and they are erased on request or after the retention
period, leaving the requests as anonymous counts (kind, region, dates, hours).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regions.models import Region
from volunteer_net.choices import ChoiceLabels


class Beneficiary(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name=_("region")
    )
    locality = models.CharField(_("locality"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=16, blank=True, help_text=_("Stored as +7XXXXXXXXXX."))
    address = models.CharField(_("address"), max_length=300)
    # The address folded (case, punctuation, spaces) so that the same house written two ways
    # is found as a possible duplicate.
    address_key = models.CharField(max_length=300, editable=False, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    how_to_reach = models.CharField(
        _("how to reach them"),
        max_length=300,
        blank=True,
        help_text=_("E.g. call a neighbour first, ring twice, the entrance code."),
    )
    consent_help = models.BooleanField(_("consents to be helped"), default=False)
    consent_data = models.BooleanField(_("consents to the data being kept"), default=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["region__code", "locality", "id"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        indexes = [
            models.Index(fields=["phone"], name="beneficiary_phone"),
            models.Index(fields=["region", "address_key"], name="beneficiary_region_address"),
        ]

    def __str__(self) -> str:
        return str(_("Beneficiary #%(id)s") % {"id": self.pk})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address_key = address_key(self.address)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "address" in update_fields:
            kwargs["update_fields"] = {*update_fields, "address_key"}
        super().save(*args, **kwargs)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


def address_key(address: str) -> str:
    """One key for one house however it is written ("Абай даңғылы, 12" and "абай даңғылы 12.")."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in (address or "").casefold())
    return " ".join(cleaned.split())[:300]


URGENT_FIRST = Case(When(urgency="urgent", then=Value(0)), default=Value(1), output_field=IntegerField())
"""The second key of the lists of requests (overdue, urgent, window's end, id), exactly as the
indexes care_open_order, care_open_region_order and care_region_order hold it: a query must order
by this very expression for PostgreSQL to read the order from them."""


class HelpRequest(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        GROCERIES = "groceries", _("Groceries")
        MEDICINE = "medicine", _("Medicine")
        FUEL = "fuel", _("Fuel for heating")
        SNOW = "snow", _("Snow clearing")
        CLEANING = "cleaning", _("Cleaning")
        VISIT = "visit", _("Companionship visit")
        CLINIC = "clinic", _("Transport to a clinic")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("One-off")
        WEEKLY = "weekly", _("Every week")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        # A request is done (ru "Выполнена"), an assignment is (ru "Выполнено"): one word in
        # English, two in Russian, hence the contexts.
        DONE = "done", pgettext_lazy("help request status", "Done")
        CANNOT_HELP = "cannot_help", _("Cannot help")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
    CLOSED = (Status.DONE, Status.CANNOT_HELP, Status.CANCELLED)

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="requests", verbose_name=_("beneficiary")
    )
    # Copied from the beneficiary: the scope and the anonymous counts outlive the erasure.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("region")
    )
    kind = models.CharField(_("kind of help"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("what is needed"), blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    due_from = models.DateTimeField(_("from"))
    due_until = models.DateTimeField(_("until"))
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, help_text=_("For weekly requests: 0 is Monday, 6 Sunday.")
    )
    series = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("repeats the request"),
    )
    needed_hands = models.PositiveSmallIntegerField(_("people needed"), default=1)
    taken_hands = models.PositiveSmallIntegerField(default=0, editable=False)
    adults_only = models.BooleanField(
        _("adults only"),
        default=True,
        help_text=_("A home visit needs adults; a school detachment with its curator may take the rest."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    needs_check = models.BooleanField(
        _("awaits a coordinator's check"),
        default=False,
        help_text=_("Reported by a volunteer: a coordinator checks it before anyone is sent."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    created_at = models.DateTimeField(_("taken at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_until", "id"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [
            models.Index(
                fields=["region", "due_until"],
                name="care_open_by_region",
                condition=Q(status__in=["new", "assigned", "in_progress"]),
            ),
            models.Index(fields=["kind", "region", "created_at"], name="care_request_counts"),
            # The lists, overdue first (selectors.OverdueFirst), are read a page at a time in
            # this order: every region's open requests, one region's, and all of one region's
            # (closed ones too).
            models.Index(
                URGENT_FIRST,
                F("due_until"),
                F("id"),
                name="care_open_order",
                condition=Q(status__in=["new", "assigned", "in_progress"]),
            ),
            models.Index(
                F("region"),
                URGENT_FIRST,
                F("due_until"),
                F("id"),
                name="care_open_region_order",
                condition=Q(status__in=["new", "assigned", "in_progress"]),
            ),
            models.Index(F("region"), URGENT_FIRST, F("due_until"), F("id"), name="care_region_order"),
            # The reports' median time to help reads the two timestamps of the done requests of
            # a period from this index alone, a region's by its leading column.
            models.Index(
                fields=["region", "created_at"],
                include=["done_at"],
                name="care_time_to_help",
                condition=Q(status="done", done_at__isnull=False),
            ),
        ]
        constraints = [
            # The last line behind the row lock in services.assignment_confirm.
            models.CheckConstraint(
                condition=Q(taken_hands__lte=F("needed_hands")), name="care_hands_capacity"
            ),
            models.CheckConstraint(
                condition=Q(needed_hands__gte=1, needed_hands__lte=50), name="care_hands_range"
            ),
            models.CheckConstraint(condition=Q(due_until__gt=F("due_from")), name="care_due_window"),
            models.CheckConstraint(
                condition=Q(recurrence="once") | Q(weekday__gte=0, weekday__lte=6), name="care_weekly_weekday"
            ),
            # One occurrence per series and start: the recurrence task may run twice.
            models.UniqueConstraint(fields=["series", "due_from"], name="care_one_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def free_hands(self) -> int:
        return max(self.needed_hands - self.taken_hands, 0)

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and self.due_until < (now or timezone.now())


class Assignment(ChoiceLabels, models.Model):
    """One volunteer (or one detachment with its curator) going to a request.

    An offer ("I can do it") takes no place until a coordinator confirms it; a confirmed
    assignment takes one hand for a volunteer, `hands` for a detachment.
    """

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", pgettext_lazy("assignment status", "Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (Status.OFFERED, Status.CONFIRMED, Status.DONE)
    TAKING = (Status.CONFIRMED, Status.DONE)

    request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("help request")
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_assignments",
        verbose_name=_("volunteer"),
    )
    detachment = models.ForeignKey(
        "detachments.Detachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_assignments",
        verbose_name=_("detachment"),
    )
    hands = models.PositiveSmallIntegerField(_("people going"), default=1)
    curator_going = models.BooleanField(_("the curator goes with them"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    hours = models.DecimalField(_("hours spent"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, detachment__isnull=True)
                | Q(volunteer__isnull=True, detachment__isnull=False, curator_going=True),
                name="care_assignment_who",
            ),
            models.CheckConstraint(condition=Q(hands__gte=1), name="care_assignment_hands"),
            models.UniqueConstraint(
                fields=["request", "volunteer"],
                condition=Q(status__in=["offered", "confirmed", "done"]),
                name="care_one_active_assignment",
            ),
            models.UniqueConstraint(
                fields=["request", "detachment"],
                condition=Q(status__in=["offered", "confirmed", "done"]),
                name="care_one_active_detachment",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0, hours__lte=24), name="care_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.volunteer or self.detachment}"


HOURS_ZERO = Decimal("0")
