from collections.abc import Iterable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from accounts import reauth
from accounts.models import User
from regions.admin_mixins import NationalStaffAdmin

from . import services
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

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Giving or taking the front-office staff role asks for the password typed lately, as
        # the roles on the user page do (regions/admin.py); the office's own details do not.
        if (
            request.method == "POST"
            and reauth.reauth_needed(request)
            and self._staff_changes(request, object_id)
        ):
            return reauth.reauth_redirect(request, request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _staff_changes(self, request: HttpRequest, object_id: str | None) -> bool:
        sent = request.POST.getlist("staff")
        if not all(value.isdigit() for value in sent):
            return False  # the form refuses it and saves nothing
        office = self.get_object(request, unquote(object_id)) if object_id is not None else None
        if object_id is not None and (office is None or not self.has_change_permission(request, office)):
            return False  # answered as before: 404 or 403
        current = set(office.staff.values_list("pk", flat=True)) if office is not None else set()
        return {int(value) for value in sent} != current

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The staff are saved here, after the office: whoever was taken off loses the role's
        # API tokens.
        office = form.instance
        before = set(office.staff.all()) if change else set()
        super().save_related(request, form, formsets, change)
        services.office_staff_removed(users=before - set(office.staff.all()))

    def delete_model(self, request: HttpRequest, obj: FrontOffice) -> None:
        staff = list(obj.staff.all())
        super().delete_model(request, obj)
        services.office_staff_removed(users=staff)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FrontOffice]) -> None:
        staff = set(User.objects.filter(front_offices__in=queryset))
        super().delete_queryset(request, queryset)
        services.office_staff_removed(users=staff)

    def save_model(self, request: HttpRequest, obj: FrontOffice, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Closing the office here is what closes it on the site: its booked visits go too.
            services.office_closed_visits_cancel(office=obj, by=cast(User, request.user))
        elif obj.is_active and {"is_active", "visit_minutes", "visitors_at_once"} & set(form.changed_data):
            # Its slots follow at once, as on the coordinators' page (services.front_office_update).
            services.office_slots_resync(office=obj)
        if change and obj.is_active and {"name", "address"} & set(form.changed_data):
            # The reminders still to go out say the new name and address, as on that page.
            services.office_reminders_refresh(office=obj)


class _ScheduleAdmin(NationalStaffAdmin):
    """Hours and closed dates changed here reach the offices' slots at once, as they do from an
    office's hours page (services.schedule_exception_add and the rest): otherwise a date closed
    here kept its free places on offer until the hourly sync. Visits already booked at a time
    that is no longer open stay for the staff to move or cancel, and the admin says where."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # An edit may move the row to another office: the one it leaves changes too.
        before = type(obj).objects.filter(pk=obj.pk).values_list("office_id", flat=True) if change else []
        offices = set(before)
        super().save_model(request, obj, form, change)
        self._resync(request, offices | {obj.office_id})

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        office_id = cast(Any, obj).office_id
        super().delete_model(request, obj)
        self._resync(request, {office_id})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        offices = set(queryset.values_list("office_id", flat=True))
        super().delete_queryset(request, queryset)
        self._resync(request, offices)

    def _resync(self, request: HttpRequest, office_ids: Iterable[int | None]) -> None:
        for office, booked in services.schedule_changed_resync(office_ids=office_ids):
            text = ngettext(
                "%(office)s: %(count)d visit is booked at a time the office no longer opens."
                " Move or cancel it on the office's hours page.",
                "%(office)s: %(count)d visits are booked at times the office no longer opens."
                " Move or cancel them on the office's hours page.",
                booked,
            ) % {"office": office.name, "count": booked}
            link = reverse("front_offices:hours", args=[office.pk])
            self.message_user(request, format_html('<a href="{}">{}</a>', link, text), messages.WARNING)


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(_ScheduleAdmin):
    """Public holidays (no office: every office closed) and offices' own closed dates."""

    list_display = ["date", "office", "opens", "closes", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"


@admin.register(OpeningHours)
class OpeningHoursAdmin(_ScheduleAdmin):
    """The weekly schedule (no period) and temporary schedules (with one), interval by interval."""

    list_display = ["office", "weekday", "opens", "closes", "valid_from", "valid_until"]
    list_filter = ["office"]
    list_select_related = ["office"]
