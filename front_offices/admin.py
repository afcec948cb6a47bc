from django.contrib import admin

from regions.admin_mixins import NationalStaffAdmin

from .models import FrontOffice, OpeningHours, ScheduleException


@admin.register(FrontOffice)
class FrontOfficeAdmin(NationalStaffAdmin):
    """National staff set up offices, their hours and exceptions, and hand out the front-office
    staff role; coordinators keep their regions' offices' details on the app's own pages."""

    list_display = ["name", "region", "address", "phone", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["staff"]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(NationalStaffAdmin):
    """Public holidays (no office: every office closed) and offices' own closed dates."""

    list_display = ["date", "office", "opens", "closes", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"


@admin.register(OpeningHours)
class OpeningHoursAdmin(NationalStaffAdmin):
    """The weekly schedule (no period) and temporary schedules (with one), interval by interval."""

    list_display = ["office", "weekday", "opens", "closes", "valid_from", "valid_until"]
    list_filter = ["office"]
    list_select_related = ["office"]
