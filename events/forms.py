"""Forms for the campaign pages. They parse and present; the rules live in events/services.py.

Times are typed in Almaty time as a date, a start and an end: an end at or before the start
means the next morning (a night shift), which is how people say it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.scoping import is_national_staff, region_queryset_for
from regions.validators import validate_point_in_kazakhstan
from volunteer_net.forms import MAX_BIGINT, DayField, DayTimeField, FastSelect
from volunteers.forms import RegionChoiceField, SkillChoiceField
from volunteers.models import Skill

from .models import Campaign, Shift
from .selectors import CampaignFilters
from .services import MAX_SERIES_WEEKS, shift_window


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class CampaignFilterForm(forms.Form):
    """The volunteer's filters over the campaign list (GET); a bad value is shown as an error
    and ignored, never passed to the database."""

    region = RegionChoiceField(
        queryset=Region.objects.all(), required=False, label=_("Region"), empty_label=_("All regions")
    )
    kind = forms.ChoiceField(
        choices=[("", _("All kinds")), *Campaign.Kind.choices], required=False, label=_("Kind")
    )
    date_from = DayField(required=False, label=_("From"))
    date_to = DayField(required=False, label=_("To"))
    free = forms.BooleanField(required=False, label=_("Has free places"))
    evenings = forms.BooleanField(required=False, label=_("Evenings (from 18:00)"))
    weekends = forms.BooleanField(required=False, label=_("Weekends"))
    direction = forms.ChoiceField(
        choices=[("", _("All directions")), *Campaign.Direction.choices],
        required=False,
        label=_("National direction"),
    )
    suits_me = forms.BooleanField(required=False, label=_("Suits my skills"))
    # "Nearest to me": filled by the browser's location (static/js/near_me.js), never typed.
    lat = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=12, decimal_places=8)
    lon = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=12, decimal_places=8)

    def __init__(
        self, *args: Any, volunteer_id: int | None = None, home_region: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget = FastSelect(choices=self.fields["region"].widget.choices)
        self.volunteer_id = volunteer_id
        # A volunteer looks for campaigns near home first: their region (with the national
        # campaigns) until they choose another or "All regions", which the form sends as "".
        self.home_region = home_region
        if home_region is not None:
            if not self.is_bound:
                self.initial["region"] = home_region
            elif "region" not in self.data:
                self.data = {**self.data.dict(), "region": str(home_region)}  # type: ignore[attr-defined]
        if volunteer_id is None:
            # Anonymous visitors (and accounts without a volunteer profile) have no skills to match.
            del self.fields["suits_me"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            # Read as given, the two dates found nothing and the page said only "no campaigns
            # match", as if there were none; the list keeps the start and says which date is off.
            self.add_error("date_to", _("The end date is before the start date."))
        if "lat" in self.errors or "lon" in self.errors:
            # Hidden fields: their own errors would show nowhere.
            self.add_error(None, _("Your location could not be read: the list is in its usual order."))
        elif data.get("lat") is not None or data.get("lon") is not None:
            try:
                validate_point_in_kazakhstan(data.get("lat"), data.get("lon"))
            except ValidationError:
                self.add_error(
                    None,
                    _("Your location is outside Kazakhstan, so the list is in its usual order."),
                )
                data["lat"] = data["lon"] = None
        return data

    def filters(self) -> CampaignFilters:
        if not self.is_bound:
            return CampaignFilters(region=self.home_region)
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        region = data.get("region")
        lat, lon = data.get("lat"), data.get("lon")
        return CampaignFilters(
            region=region.pk if region else None,
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            free_places=bool(data.get("free")),
            evenings=bool(data.get("evenings")),
            weekends=bool(data.get("weekends")),
            direction=data.get("direction") or "",
            skills_of=self.volunteer_id if data.get("suits_me") else None,
            # clean() has emptied a point outside Kazakhstan; one that could not be read is out
            # of `data` with the other fields in error.
            near=None if lat is None or lon is None else (float(lat), float(lon)),
        )


class CampaignForm(forms.ModelForm):
    region = RegionChoiceField(queryset=Region.objects.all(), required=False, label=_("Region"))

    class Meta:
        model = Campaign
        fields = [
            "title",
            "cover_text",
            "description",
            "kind",
            "direction",
            "region",
            "contact",
            "starts_on",
            "ends_on",
        ]
        field_classes = {"starts_on": DayField, "ends_on": DayField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["region"])
        field.queryset = region_queryset_for(user)
        if is_national_staff(user):
            field.empty_label = _("National campaign (all regions)")
        else:
            # A coordinator's campaigns belong to one of their regions.
            field.required = True
            if field.queryset.count() == 1 and not self.instance.pk:
                self.initial["region"] = field.queryset.first()

    def campaign_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ShiftFieldsForm(forms.Form):
    """What a shift and a series have in common: the place, the times, the places, who may come."""

    place_name = forms.CharField(label=_("Place"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=8, decimal_places=5, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=8, decimal_places=5, min_value=-180, max_value=180
    )
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(
        label=_("Ends at"), widget=TimeInput(), help_text=_("An end before the start is the next morning.")
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    required_skills = SkillChoiceField(
        queryset=Skill.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Required skills"),
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=6, max_value=99)
    adults_only = forms.BooleanField(
        label=_("Adults only (heavy or hazardous work)"),
        required=False,
        help_text=_("Emergency response is always 18+ (law 42-VI, art. 12)."),
    )
    waitlist_enabled = forms.BooleanField(label=_("Waitlist when full"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes for volunteers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    COMMON = (
        "place_name",
        "address",
        "latitude",
        "longitude",
        "capacity",
        "min_age",
        "adults_only",
        "waitlist_enabled",
        "notes",
    )

    def common_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.COMMON} | {
            "address": self.cleaned_data.get("address") or "",
            "notes": self.cleaned_data.get("notes") or "",
        }


class ShiftForm(ShiftFieldsForm):
    date = DayField(label=_("Date"))
    signup_deadline = DayTimeField(
        label=_("Sign-up deadline"), required=False, help_text=_("Almaty time; optional.")
    )
    field_order = ["place_name", "address", "date", "start_time", "end_time", "capacity"]

    @classmethod
    def initial_for(cls, shift: Shift) -> dict[str, Any]:
        start = timezone.localtime(shift.starts_at)
        end = timezone.localtime(shift.ends_at)
        return {
            **{name: getattr(shift, name) for name in cls.COMMON},
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "signup_deadline": timezone.localtime(shift.signup_deadline) if shift.signup_deadline else None,
            "required_skills": list(shift.required_skills.all()),
        }

    def shift_data(self) -> dict[str, Any]:
        starts_at, ends_at = shift_window(
            self.cleaned_data["date"], self.cleaned_data["start_time"], self.cleaned_data["end_time"]
        )
        return {
            **self.common_data(),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "signup_deadline": self.cleaned_data.get("signup_deadline"),
        }


class SeriesForm(ShiftFieldsForm):
    first_date = DayField(label=_("First week from"))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    weeks = forms.IntegerField(label=_("Number of weeks"), min_value=1, max_value=MAX_SERIES_WEEKS, initial=4)
    field_order = [
        "place_name",
        "address",
        "first_date",
        "weekdays",
        "weeks",
        "start_time",
        "end_time",
        "capacity",
    ]


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal(0), max_digits=5, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class IdsField(forms.Field):
    """A list of ids from ticked checkboxes; anything but whole numbers from 1 to MAX_BIGINT is a
    field error (a larger one overflowed the database's integer in the `IN (…)` that follows)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Choose from the list."), code="invalid") from exc
        if not all(1 <= pk <= MAX_BIGINT for pk in ids):
            raise forms.ValidationError(_("Choose from the list."), code="invalid")
        return ids


class PickForm(forms.Form):
    """The people ticked on an "add" list; the view keeps only those within the user's scope."""

    volunteers = IdsField(label=_("Volunteers"), error_messages={"required": _("Tick at least one person.")})


class SeriesFollowingForm(forms.Form):
    """ "This and the following" of a series: shown with this shift's values; only what the
    coordinator changes is applied to every later shift (each keeps its own date)."""

    place_name = forms.CharField(label=_("Place"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(
        label=_("Ends at"), widget=TimeInput(), help_text=_("An end before the start is the next morning.")
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    notes = forms.CharField(
        label=_("Notes for volunteers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_for(shift: Shift) -> dict[str, Any]:
        return {
            "place_name": shift.place_name,
            "address": shift.address,
            "start_time": timezone.localtime(shift.starts_at).time(),
            "end_time": timezone.localtime(shift.ends_at).time(),
            "capacity": shift.capacity,
            "notes": shift.notes,
        }

    def changes(self) -> tuple[dict[str, Any], bool]:
        """The fields changed, and whether the times changed (both are then applied)."""
        data = {
            k: self.cleaned_data[k]
            for k in ("place_name", "address", "capacity", "notes")
            if k in self.changed_data
        }
        return data, bool({"start_time", "end_time"} & set(self.changed_data))


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(shift)s · %(free)s of %(capacity)s places free") % {
            "shift": obj,
            "free": obj.free_places,
            "capacity": obj.capacity,
        }


class MoveForm(forms.Form):
    """Another upcoming shift of the same campaign (the view passes the choices)."""

    to_shift = ShiftChoiceField(queryset=Shift.objects.none(), label=_("Move to the shift"), empty_label=None)

    def __init__(self, *args: Any, shifts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ShiftChoiceField, self.fields["to_shift"]).queryset = shifts
