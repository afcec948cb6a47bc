"""Forms for transport requests and call-outs. They parse; the rules live in services_extra.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from volunteer_net.forms import DayTimeField
from volunteers.forms import SkillChoiceField
from volunteers.models import Skill
from volunteers.validators import normalize_phone

from .services_extra import MAX_CALLOUT_RADIUS_KM, MAX_SEATS, Near


class TransportRequestForm(forms.Form):
    pickup = forms.CharField(
        label=_("Pickup point"), max_length=200, help_text=_("An address or a landmark, e.g. a bus stop.")
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS, initial=1)
    note = forms.CharField(label=_("Note for the coordinator"), max_length=300, required=False)


class TransportArrangeForm(forms.Form):
    group = forms.CharField(label=_("Group"), max_length=30, required=False)
    driver_name = forms.CharField(label=_("Driver"), max_length=100)
    driver_phone = forms.CharField(label=_("Driver's phone"), max_length=20)
    departure_at = DayTimeField(label=_("Departure time"), required=False, input_formats=["%Y-%m-%dT%H:%M"])
    departure_place = forms.CharField(label=_("Departure place"), max_length=200, required=False)

    def clean_driver_phone(self) -> str:
        # Kept as +77011234567 like every phone here, however it was typed: the riders' page
        # groups it and dials it.
        return normalize_phone(self.cleaned_data["driver_phone"])


class TransportDeclineForm(forms.Form):
    decline_reason = forms.CharField(label=_("Reason"), max_length=300)


class CallOutForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, where to gather, what to bring."),
    )
    skills = SkillChoiceField(
        label=_("Only volunteers with any of these skills"),
        queryset=Skill.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    latitude = forms.DecimalField(
        label=_("Only volunteers near a point: latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("For example 43.25 (Almaty). Leave the three fields empty to call the whole region."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    radius_km = forms.IntegerField(
        label=_("Within, km"),
        required=False,
        min_value=1,
        max_value=MAX_CALLOUT_RADIUS_KM,
        help_text=_("Only volunteers who gave their area on their profile are reached by distance."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in ("latitude", "longitude", "radius_km") if data.get(name) is not None]
        if given and len(given) < 3:
            message = _("Give the point and the distance together, or leave all three empty.")
            for name in ("latitude", "longitude", "radius_km"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
        return data

    def near(self) -> Near | None:
        data = self.cleaned_data
        if data.get("latitude") is None or data.get("longitude") is None or data.get("radius_km") is None:
            return None
        return Near(
            latitude=data["latitude"].quantize(Decimal("0.00001")),
            longitude=data["longitude"].quantize(Decimal("0.00001")),
            radius_km=data["radius_km"],
        )


class ConfirmOntoShiftForm(forms.Form):
    shift = forms.IntegerField(label=_("Shift"))
