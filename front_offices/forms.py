from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteer_net.forms import DateInput, DayField
from volunteers.forms import PHONE_INPUT_MAX_LENGTH, GuardianPaperConsentMixin, VolunteerProfileForm
from volunteers.models import Volunteer

from .models import FrontOffice, OpeningHours, Purpose, ScheduleException, Service, Visit
from .services import EDITABLE_FIELDS


class FrontOfficeForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("services offered"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FrontOffice
        # Whether an office takes bookings at all is national staff's switch, in the admin.
        fields = [f for f in EDITABLE_FIELDS if f != "is_active"]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "latitude": forms.NumberInput(attrs={"step": "0.00001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.00001"}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("visit_minutes", "visitors_at_once"):
            self.fields[name].required = False

    def office_data(self) -> dict[str, Any]:
        """What was sent; a field the form did not carry keeps the office's value."""
        return {
            field: self.cleaned_data[field]
            if field in self.data and self.cleaned_data.get(field) is not None
            else getattr(self.instance, field)
            for field in self.Meta.fields
        }


class BookingForm(forms.Form):
    purpose = forms.ChoiceField(label=_("What is the visit for?"), choices=Purpose.choices)
    note = forms.CharField(
        label=_("Note for the office (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _profile_field(name: str, **kwargs: Any) -> forms.Field:
    """A volunteer profile's field as its own form makes it (label, length, choices)."""
    model_field = cast(models.Field, Volunteer._meta.get_field(name))
    return cast(forms.Field, model_field.formfield(**kwargs))


class WalkInForm(GuardianPaperConsentMixin, forms.Form):
    """The desk's one form. A new minor's parent or legal representative, and their signed consent
    when it is at hand, are the roster's walk-in fields (volunteers/forms.py): grouped in the
    fieldset static/js/guardian.js shows once the birth date makes the person under 18, checked
    by the profile's own rules when the person is added."""

    guardian_field_names = VolunteerProfileForm.GUARDIAN_FIELDS

    phone = forms.CharField(
        label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    first_name = forms.CharField(label=_("First name (if new)"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name (if new)"), max_length=100, required=False)
    birth_date = DayField(
        label=_("Date of birth (if new)"),
        required=False,
        # guardian.js reads it to show the guardian fields for a minor.
        widget=DateInput(attrs={"data-birth-date": "true"}),
    )
    # A newcomer is added to the roster: their own signed consent form, as the roster's walk-in
    # form asks (law 94-V: no personal data kept without consent).
    own_document_number = forms.CharField(
        label=_("Number of the signed consent form (if new)"),
        max_length=50,
        required=False,
        help_text=_("The person's own consent to the processing of personal data, kept by the region."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Visit.Outcome.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    guardian_name = _profile_field("guardian_name")
    # Typed as people write it ("+7 (701) 123-45-67"); the profile stores it normalised.
    guardian_phone = _profile_field(
        "guardian_phone",
        max_length=PHONE_INPUT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+7 701 123 45 67"}),
    )
    guardian_relation = _profile_field("guardian_relation")

    field_order = [
        "phone",
        "first_name",
        "last_name",
        "birth_date",
        "own_document_number",
        "purpose",
        "outcome",
        "note",
        *VolunteerProfileForm.GUARDIAN_FIELDS,
    ]

    def walk_in_data(self) -> dict[str, Any]:
        """The arguments of `services.walk_in_register`, the consent as its paper form."""
        data = {
            name: value for name, value in self.cleaned_data.items() if name not in self.PAPER_CONSENT_FIELDS
        }
        return data | {"guardian_consent": self.guardian_consent()}


class BlockForm(forms.Form):
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("00:00 means midnight: 00:00–00:00 blocks the whole day."),
    )
    reason = forms.CharField(label=_("Reason (sent to people already booked)"), max_length=200)


class SlotBlockForm(forms.Form):
    """The reason for closing one slot of the day; the slot is the button pressed (`slot`)."""

    reason = forms.CharField(
        label=_("Reason (sent to people already booked)"),
        max_length=200,
        error_messages={"required": _("Give a reason: it is sent to the people already booked.")},
    )


class StaffCancelForm(forms.Form):
    """Why the desk cancels a person's visit: sent to them with the news."""

    reason = forms.CharField(label=_("Reason (sent to the person)"), max_length=200, required=False)


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes", "valid_from", "valid_until"]
        field_classes = {"valid_from": DayField, "valid_until": DayField}
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }


class ScheduleExceptionForm(forms.ModelForm):
    class Meta:
        model = ScheduleException
        fields = ["date", "opens", "closes", "reason"]
        field_classes = {"date": DayField}
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }
