"""Campaigns and shifts for national staff; sign-ups are read-only here, because every sign-up,
cancellation and attendance mark goes through events/services.py (capacity, age, consent)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import construct_instance
from django.http import HttpRequest
from django.utils import timezone

from regions.admin_mixins import NationalStaffAdmin

from . import messages as event_messages
from . import services
from .models import Campaign, Shift, Signup


class CampaignAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.instance.pk is not None and "kind" in self.changed_data:
            # Nobody under 18 in emergency response: not while a minor holds a place on it. Asked
            # under the locks the service takes, held until the admin's save commits.
            services.campaign_kind_change_check(construct_instance(self, copy.copy(self.instance)))
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(NationalStaffAdmin):
    form = CampaignAdminForm
    list_display = ["title", "kind", "region", "status", "starts_on", "ends_on"]
    list_filter = ["status", "kind", "region"]
    list_select_related = ["region"]
    search_fields = ["title"]
    raw_id_fields = ["organiser"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting would take sign-ups and hours with it; a campaign is cancelled instead.
        return False

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "title" in form.changed_data:
            # As on the coordinators' pages (services.campaign_update): reminders say the new title.
            event_messages.campaign_renamed(obj)


class ShiftAdminForm(forms.ModelForm):
    """The admin builds the fields (modelform_factory); this adds the capacity rule and the
    service's own rules (a deadline before the start, the campaign's dates), as form errors
    rather than the 500 they were when the service refused them while saving."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The shift as it would be saved, on a copy: the form's instance is filled in later.
        candidate = construct_instance(self, copy.copy(self.instance))
        if candidate.campaign_id is None:
            return cleaned
        try:
            services.shift_check(candidate, new=self.instance.pk is None)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        if self.instance.pk is not None and self.instance.starts_at > timezone.now():
            # The service refuses it too (law 42-VI art. 12); asked here it is the form's error,
            # not a 500 from saving.
            services.signed_up_law_check(candidate)
        return cleaned

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            taken = self.instance.taken_places
            if capacity is not None and capacity < taken:
                raise forms.ValidationError(services.capacity_message(taken))
        return capacity


@admin.register(Shift)
class ShiftAdmin(NationalStaffAdmin):
    form = ShiftAdminForm
    list_display = ["place_name", "campaign", "starts_at", "capacity", "cancelled_at"]
    list_select_related = ["campaign"]
    list_filter = ["campaign__kind"]
    search_fields = ["place_name", "campaign__title"]
    raw_id_fields = ["campaign", "series"]
    filter_horizontal = ["required_skills"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # People signed up and hours worked hang on a shift; it is cancelled through the service.
        return False

    def save_model(self, request: HttpRequest, obj: Shift, form: Any, change: bool) -> None:
        # An edit goes through the service, so that fewer places than people confirmed is
        # refused and more places move people up from the waitlist, as on the app's pages.
        if change:
            data = {
                field: form.cleaned_data[field]
                for field in services.SHIFT_FIELDS
                if field in form.cleaned_data
            }
            services.shift_update(shift=obj, data=data, by=request.user)  # type: ignore[arg-type]
        else:
            super().save_model(request, obj, form, change)


@admin.register(Signup)
class SignupAdmin(NationalStaffAdmin):
    list_display = ["volunteer", "shift", "status", "created_at", "hours"]
    list_filter = ["status"]
    list_select_related = ["volunteer", "shift"]
    raw_id_fields = ["shift", "volunteer", "moved_to"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
