from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.scoping import region_queryset_for

from .models import SPOKEN_LANGUAGES, Detachment, Skill, User, Volunteer
from .selectors import SORTS, RosterFilters
from .validators import normalize_phone

PHONE_INPUT_MAX_LENGTH = 32


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SkillChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return obj.name


class SkillSingleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return obj.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class VolunteerProfileForm(forms.ModelForm):
    """The profile as the volunteer keeps it; coordinators and curators get extra fields."""

    skills = SkillChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Skills")
    )
    languages = forms.MultipleChoiceField(
        choices=SPOKEN_LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple, label=_("Languages")
    )
    region = RegionChoiceField(queryset=Region.objects.all(), label=_("Region"))

    class Meta:
        model = Volunteer
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "phone",
            "email",
            "region",
            "locality",
            "skills",
            "languages",
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "preferred_language",
            "preferred_channel",
            "iin",
            "guardian_name",
            "guardian_phone",
            "guardian_relation",
        ]
        widgets = {
            "birth_date": DateInput(),
            "phone": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 701 123 45 67"}
            ),
            "guardian_phone": forms.TextInput(attrs={"type": "tel", "placeholder": "+7 701 123 45 67"}),
            "iin": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12, "autocomplete": "off"}),
        }
        help_texts = {
            "iin": _("Optional. 12 digits; checked against the date of birth."),
            "guardian_name": _("Required for volunteers under 18."),
        }

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = True
        self.fields["phone"].required = True
        for name in ("phone", "guardian_phone"):
            # People type "+7 (701) 123-45-67" (18 characters); only the normalised +7XXXXXXXXXX
            # (12) is stored, so the typed form may be longer than the column.
            field = cast(forms.CharField, self.fields[name])
            field.max_length = PHONE_INPUT_MAX_LENGTH
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = str(PHONE_INPUT_MAX_LENGTH)
        if user is not None and "region" in self.fields and user.is_authenticated:
            scoped = region_queryset_for(user)
            if scoped.exists() and self.instance.user_id != user.pk:
                cast(forms.ModelChoiceField, self.fields["region"]).queryset = scoped

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean_guardian_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("guardian_phone", ""))

    def clean_iin(self) -> str | None:
        return (self.cleaned_data.get("iin") or "").replace(" ", "") or None

    def profile_data(self) -> dict[str, Any]:
        """Cleaned values for the services (skills travel separately)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "skills"}


class CoordinatorVolunteerForm(VolunteerProfileForm):
    """What a coordinator edits on a roster entry: the profile plus status and detachment."""

    class Meta(VolunteerProfileForm.Meta):
        fields = [*VolunteerProfileForm.Meta.fields, "status", "detachment"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from .selectors import detachment_queryset_for

        cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachment_queryset_for(
            user
        ).select_related("region")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)


class WalkInVolunteerForm(CoordinatorVolunteerForm):
    guardian_consent_received = forms.BooleanField(
        required=False,
        label=_("The written consent of the parent or legal representative has been received"),
    )


class DetachmentMemberForm(VolunteerProfileForm):
    """A curator registers members of their own detachment (usually minors)."""

    guardian_consent_received = forms.BooleanField(
        required=False,
        label=_("The written consent of the parent or legal representative has been received"),
    )
    region = None  # type: ignore[assignment]  # members belong to the detachment's region

    class Meta(VolunteerProfileForm.Meta):
        fields = [f for f in VolunteerProfileForm.Meta.fields if f != "region"]

    def __init__(self, *args: Any, detachment: Detachment, **kwargs: Any) -> None:
        self.detachment = detachment
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        # A member belongs to the detachment's region; set it before model validation runs.
        self.instance.region = detachment.region
        self.instance.detachment = detachment

    def profile_data(self) -> dict[str, Any]:
        data = super().profile_data()
        data.pop("guardian_consent_received", None)
        data["region"] = self.detachment.region
        data["detachment"] = self.detachment
        return data


class RegistrationForm(forms.Form):
    """The account part of registration; the profile part is a VolunteerProfileForm."""

    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data under the terms shown"),
        error_messages={"required": _("Registration needs your consent to the processing of personal data.")},
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."), code="duplicate")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords do not match."), code="mismatch")
            )
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=cleaned.get("email", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, phone or e-mail")}),
    )
    region = RegionChoiceField(
        queryset=Region.objects.none(), required=False, label=_("Region"), empty_label=_("All regions")
    )
    skill = SkillSingleChoiceField(queryset=Skill.objects.all(), required=False, label=_("Skill"))
    detachment = forms.ModelChoiceField(
        queryset=Detachment.objects.none(),
        required=False,
        label=_("Detachment"),
        empty_label=_("Any detachment"),
    )
    age_group = forms.ChoiceField(
        required=False,
        label=_("Age group"),
        choices=[
            ("", _("Any age")),
            ("under14", _("Under 14")),
            ("14to17", _("14–17")),
            ("18to35", _("18–35")),
            ("36plus", _("36 and over")),
        ],
    )
    availability = forms.ChoiceField(
        required=False,
        label=_("Available"),
        choices=[
            ("", _("Any time")),
            ("weekdays", _("Weekdays")),
            ("evenings", _("Evenings")),
            ("weekends", _("Weekends")),
        ],
    )
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")), *Volunteer.Status.choices]
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import detachment_queryset_for

        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)
        cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachment_queryset_for(
            user
        ).select_related("region")
        cast(forms.ModelChoiceField, self.fields["skill"]).empty_label = _("Any skill")

    def filters(self) -> RosterFilters:
        """The valid filters; one bad value (a stale link, say) drops only itself, with its error shown."""
        self.is_valid()
        data = self.cleaned_data

        def pk(name: str) -> int | None:
            obj = data.get(name)
            return obj.pk if obj is not None else None

        return RosterFilters(
            q=data.get("q", ""),
            region=pk("region"),
            skill=pk("skill"),
            detachment=pk("detachment"),
            age_group=data.get("age_group", ""),
            availability=data.get("availability", ""),
            status=data.get("status", ""),
            sort=data.get("sort") or "name",
        )


class DetachmentForm(forms.ModelForm):
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("Region"))
    curator_email = forms.EmailField(
        label=_("Curator's e-mail"),
        required=False,
        help_text=_("The curator must already have an account."),
    )

    class Meta:
        model = Detachment
        fields = ["school_name", "school_number", "locality", "region", "latitude", "longitude"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)
        if self.instance.curator_id:
            self.fields["curator_email"].initial = self.instance.curator.email

    def clean_curator_email(self) -> User | None:
        email = (self.cleaned_data.get("curator_email") or "").strip()
        if not email:
            return None
        curator = User.objects.filter(email__iexact=email, is_active=True).first()
        if curator is None:
            raise forms.ValidationError(_("No account with this e-mail."), code="unknown_curator")
        return curator

    def detachment_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "curator_email"}
        data["curator"] = self.cleaned_data.get("curator_email")
        return data
