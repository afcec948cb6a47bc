from django.contrib import admin

from regions.admin_mixins import NationalStaffAdmin

from .models import FrontOffice, OpeningHours, ScheduleException


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = ScheduleException
    extra = 0


@admin.register(FrontOffice)
class FrontOfficeAdmin(NationalStaffAdmin):
    """National staff set up offices, their hours and exceptions, and hand out the front-office
    staff role; coordinators keep their regions' offices' details on the app's own pages."""

    list_display = ["name", "region", "address", "phone", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["staff"]
    inlines = [OpeningHoursInline, ExceptionInline]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(NationalStaffAdmin):
    """Public holidays (no office: every office closed) and offices' own closed dates."""

    list_display = ["date", "office", "opens", "closes", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"
