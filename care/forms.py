"""Forms of targeted help. One phone-friendly intake form holds the person and the request."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.validators import validate_point_in_kazakhstan
from volunteer_net.forms import DayTimeField
from volunteers.validators import normalize_phone

from .models import Assignment, Beneficiary, HelpRequest

# Kinds that are home visits: adults only unless staff decide otherwise.
ADULT_KINDS = {
    HelpRequest.Kind.MEDICINE,
    HelpRequest.Kind.CLEANING,
    HelpRequest.Kind.VISIT,
    HelpRequest.Kind.CLINIC,
}


class _PersonFields(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    locality = forms.CharField(label=_("Locality"), max_length=100, help_text=_("Town or village."))
    address = forms.CharField(label=_("Address"), max_length=300, help_text=_("Street, house, flat."))
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        widget=forms.NumberInput(attrs={"step": "0.00001"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        widget=forms.NumberInput(attrs={"step": "0.00001"}),
    )
    how_to_reach = forms.CharField(label=_("How to reach them"), max_length=300, required=False)
    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    consent_help = forms.BooleanField(label=_("The person agrees to be helped"), required=False)
    consent_data = forms.BooleanField(label=_("The person agrees to have their data kept"), required=False)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise ValidationError(_("Give both the latitude and the longitude, or neither."))
        try:
            validate_point_in_kazakhstan(lat, lon)
        except ValidationError as exc:
            # The validator names its fields (latitude, longitude or both): a longitude outside
            # Kazakhstan put under "latitude" was a TypeError and a 500.
            self.add_error(None, exc)
        if not (data.get("consent_help") and data.get("consent_data")):
            self.add_error(
                "consent_data", _("The person must agree to be helped and to have their data kept.")
            )
        return data


class _RequestFields(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=HelpRequest.Kind.choices)
    details = forms.CharField(
        label=_("What is needed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=HelpRequest.Urgency.choices, initial="normal")
    due_from = DayTimeField(label=_("From"))
    due_until = DayTimeField(label=_("Until"))
    recurrence = forms.ChoiceField(
        label=_("Repeats"),
        choices=HelpRequest.Recurrence.choices,
        initial="once",
        help_text=_("Weekly requests repeat on the weekday of the start."),
    )
    needed_hands = forms.IntegerField(label=_("People needed"), min_value=1, max_value=50, initial=1)
    adults_only = forms.BooleanField(
        label=_("Adults only"),
        required=False,
        initial=True,
        help_text=_("A home visit needs adults; a school detachment with its curator may take the rest."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_until")
        if start and end and end <= start:
            self.add_error("due_until", _("The end of the window must be after its start."))
        if start and start < timezone.now() - datetime.timedelta(days=1):
            self.add_error("due_from", _("The window cannot start in the past."))
        return data


class IntakeForm(_PersonFields, _RequestFields):
    """Staff take a request: the region, the person and the request on one page."""

    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), empty_label=None
    )
    existing_beneficiary = forms.ModelChoiceField(
        label=_("Same person as"),
        queryset=Beneficiary.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        empty_label=_("A different person: keep a new file"),
    )
    duplicates_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    field_order = ["region", "full_name", "phone", "locality", "address", "how_to_reach", "kind", "details"]

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        # Any file of the user's regions may be chosen; the choice is shown only for duplicates.
        self.fields["existing_beneficiary"].queryset = Beneficiary.objects.filter(  # type: ignore[attr-defined]
            region__in=regions, erased_at__isnull=True
        )
        self.duplicates: list[Beneficiary] = []

    def offer_duplicates(self, duplicates: list[Beneficiary]) -> None:
        """Same phone or address on file: the person taking the request must say whether it is
        the same person (their request joins that file) or another one."""
        self.duplicates = duplicates
        field = self.fields["existing_beneficiary"]
        field.queryset = Beneficiary.objects.filter(pk__in=[d.pk for d in duplicates])  # type: ignore[attr-defined]
        field.label_from_instance = lambda b: f"{b.full_name} · {b.locality}, {b.address}"  # type: ignore[attr-defined]
        field.widget = forms.RadioSelect(choices=field.choices)  # type: ignore[attr-defined]

    def request_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("duplicates_seen", None)
        return data


class ReportForm(_PersonFields, _RequestFields):
    """A volunteer reports someone in need of their region; a coordinator checks it."""

    field_order = ["full_name", "phone", "locality", "address", "how_to_reach", "kind", "details"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_help"].label = _("The person has told me they want help")
        self.fields["consent_data"].label = _("The person agrees to have their data kept")


class DoneForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Time spent (hours)"),
        min_value=0.25,
        max_value=24,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s, label) for s, label in HelpRequest.Status.choices if s in HelpRequest.CLOSED],
        error_messages={
            "required": _("Choose how the request ended."),
            "invalid_choice": _("Choose how the request ended."),
        },
    )
    outcome_note = forms.CharField(
        label=_("Outcome note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignVolunteersForm(forms.Form):
    volunteers = forms.TypedMultipleChoiceField(
        label=_("Volunteers"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].choices = choices  # type: ignore[attr-defined]


class AssignDetachmentForm(forms.Form):
    detachment = forms.TypedChoiceField(label=_("Detachment"), coerce=int, choices=())
    hands = forms.IntegerField(
        label=_("People going, the curator included"), min_value=2, max_value=50, initial=3
    )
    curator_going = forms.BooleanField(label=_("The curator goes with the pupils"), required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["detachment"].choices = choices  # type: ignore[attr-defined]


ASSIGNMENT_STATUSES = Assignment.Status
