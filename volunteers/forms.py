from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from regions.models import Region
from regions.scoping import region_queryset_for
from volunteer_net.collation import in_name_order
from volunteer_net.forms import DateInput, DayField, FastSelect, id_param

from .models import SPOKEN_LANGUAGES, Skill, Volunteer
from .selectors import SORTS, RosterFilters, detachment_scope, own_iin_locked
from .services import ERASURE_BASIS_MAX_LENGTH, MINORS_BIRTH_DATE_BY_STAFF, PaperConsent
from .validators import ascii_digits, normalize_phone

PHONE_INPUT_MAX_LENGTH = 32
# The IIN is stored as 12 digits but typed in groups, "061 211 600 012" (15 characters).
IIN_INPUT_MAX_LENGTH = 20


class SkillChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return obj.name

    def _check_values(self, value: Any) -> Any:
        # Django reads the ticked ids with one `id IN (…)`, which SQLite (`make run`) cannot bind
        # past a 64-bit integer (an OverflowError, a 500): such an id is simply not on the list.
        for pk in value:
            digits = str(pk).strip().lstrip("+-")
            if digits.isdecimal() and id_param(digits) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # (private in the stubs)


class SkillSingleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Skill) -> str:
        return obj.name


class _RegionsByName(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for region in cast(RegionChoiceField, self.field).in_order():
            yield self.choice(region)


class RegionChoiceField(forms.ModelChoiceField):
    """A region, named and offered in the alphabet of the page's language: in KATO code order
    "Восточно-Казахстанская" came after "Ұлытау" and the city of Almaty near the end."""

    iterator = _RegionsByName

    def label_from_instance(self, obj: Region) -> str:
        return obj.name

    def in_order(self) -> list[Region]:
        return in_name_order(self.queryset or (), lambda region: region.name)


class VolunteerProfileForm(forms.ModelForm):
    """The profile as the volunteer keeps it; coordinators and curators get extra fields."""

    # Shown together (templates/includes/form_fields.html), and hidden by static/js/guardian.js
    # while the birth date says the person is an adult: only minors need them.
    GUARDIAN_FIELDS = (
        "guardian_name",
        "guardian_phone",
        "guardian_relation",
        "guardian_consent_received",
        "guardian_document_number",
        "guardian_document_date",
    )

    skills = SkillChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Skills")
    )
    languages = forms.MultipleChoiceField(
        choices=SPOKEN_LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple, label=_("Languages")
    )
    region = RegionChoiceField(queryset=Region.objects.all(), label=_("Region"))
    # Typed or filled by "Use my location" with full precision; stored to two decimals (_area).
    latitude = forms.DecimalField(
        label=_("Latitude of my area"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=_(
            "Optional: lets coordinators call you for urgent help nearby. Kept to about a "
            "kilometre — the part of town, not your address."
        ),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-area-latitude": "true"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude of my area"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(
            attrs={
                "step": "any",
                "inputmode": "decimal",
                "data-area-longitude": "true",
                "data-locate-label": _("Use my location"),
                "data-locate-failed": _(
                    "Your location is not available; type the numbers or leave them empty."
                ),
            }
        ),
    )

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
            "latitude",
            "longitude",
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
        field_classes = {"birth_date": DayField}
        widgets = {
            # guardian.js reads it to show the guardian fields for a minor.
            "birth_date": DateInput(attrs={"data-birth-date": "true"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 701 123 45 67"}
            ),
            "guardian_phone": forms.TextInput(attrs={"type": "tel", "placeholder": "+7 701 123 45 67"}),
            "iin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "iin": _("Optional. 12 digits; checked against the date of birth."),
            "guardian_name": _("Required for volunteers under 18."),
        }

    # Staff fill the form for someone else: its wording names "the person", and it offers no
    # "Use my location", which would store where the staff member stands as the person's area.
    filled_by_staff = False

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.filled_by_staff:
            self._word_for_staff()
        self.fields["birth_date"].required = True
        self.fields["phone"].required = True
        # People type "+7 (701) 123-45-67" (18 characters) and "061 211 600 012" (15); only the
        # normalised +7XXXXXXXXXX and the 12 digits are stored, so the typed form may be longer
        # than the column.
        for name, length in (
            ("phone", PHONE_INPUT_MAX_LENGTH),
            ("guardian_phone", PHONE_INPUT_MAX_LENGTH),
            ("iin", IIN_INPUT_MAX_LENGTH),
        ):
            if name not in self.fields:
                continue
            field = cast(forms.CharField, self.fields[name])
            field.max_length = length
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = str(length)
        if user is not None and "region" in self.fields and user.is_authenticated:
            scoped = region_queryset_for(user)
            if scoped.exists() and self.instance.user_id != user.pk:
                cast(forms.ModelChoiceField, self.fields["region"]).queryset = scoped
        if self.instance.pk is not None:
            # An edit: each field also carries, hidden, the value it was shown with, and only what
            # this editor changed is saved (`profile_data`, `skills_data`). The person and staff
            # may have one profile open at once: a field one of them saved meanwhile stays as
            # saved when the other did not touch it, instead of going back to the old value.
            for shown in self.fields.values():
                shown.show_hidden_initial = True

    def _word_for_staff(self) -> None:
        if "latitude" not in self.fields:
            return
        self.fields["latitude"].label = _("Latitude of the person's area")
        self.fields["latitude"].help_text = _(
            "Optional: lets coordinators call the person for urgent help nearby. Kept to about a "
            "kilometre — the part of town, not the address."
        )
        self.fields["longitude"].label = _("Longitude of the person's area")
        for field, names in (
            ("latitude", ("data-area-latitude",)),
            ("longitude", ("data-area-longitude", "data-locate-label", "data-locate-failed")),
        ):
            for name in names:
                self.fields[field].widget.attrs.pop(name, None)

    @property
    def guardian_field_names(self) -> tuple[str, ...]:
        return tuple(name for name in self.GUARDIAN_FIELDS if name in self.fields)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean_latitude(self) -> Decimal | None:
        return _area(self.cleaned_data.get("latitude"))

    def clean_longitude(self) -> Decimal | None:
        return _area(self.cleaned_data.get("longitude"))

    def clean_guardian_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("guardian_phone", ""))

    def clean_iin(self) -> str | None:
        # Digits of other scripts become 0-9 (superscripts are refused) before the model's checks,
        # which compare the IIN with the birth date, read them.
        # Spaces of any kind (a copied non-breaking one too) only group the digits.
        return "".join(ascii_digits(self.cleaned_data.get("iin") or "").split()) or None

    def profile_data(self) -> dict[str, Any]:
        """Cleaned values for the services (skills travel separately); on an edit, only those of
        the fields changed from what the form showed."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "skills"}
        if self.instance.pk is not None:
            changed = set(self.changed_data)
            data = {k: v for k, v in data.items() if k in changed}
        return data

    def skills_data(self) -> Any:
        """The skills for the services: on an edit, None (leave them) unless they were changed."""
        if self.instance.pk is not None and "skills" not in self.changed_data:
            return None
        return self.cleaned_data["skills"]

    def _update_errors(self, errors: ValidationError) -> None:
        # Staff who may not read the IIN edit without its field; a changed birth date that the
        # IIN on file no longer matches is then the date's error (Django would raise instead).
        error_dict = getattr(errors, "error_dict", None)
        if error_dict and "iin" in error_dict and "iin" not in self.fields:
            error_dict.setdefault("birth_date", []).extend(error_dict.pop("iin"))
        if error_dict and "detachment" in error_dict and "detachment" not in self.fields:
            # A pupil moving to another region on their own profile: the school detachment stays
            # in its region, and is not theirs to leave here (Django raised on the unknown field).
            error_dict.pop("detachment")
            error_dict.setdefault("region", []).append(
                ValidationError(
                    _(
                        "You are a member of a school detachment in your region: ask its curator to "
                        "take you off it, then change the region."
                    ),
                    code="detachment_region",
                )
            )
        super()._update_errors(errors)  # type: ignore[misc]  # (private in the stubs)


def _area(value: Decimal | None) -> Decimal | None:
    """A point's coordinate rounded to two decimals (about a kilometre), as the profile keeps it."""
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class RegistrationProfileForm(VolunteerProfileForm):
    """The profile part of self-registration, which must not say whether an IIN is on file (an
    anonymous visitor could otherwise confirm any IIN): the IIN's uniqueness is left to the
    service, which keeps a taken IIN off the new profile and flags it for a coordinator.

    It has no e-mail of its own: the account's address, confirmed by the mailed link, is the
    profile's (two fields for one address were filled differently, or the second left out)."""

    class Meta(VolunteerProfileForm.Meta):
        # The area point is offered on the profile later: registration asks only what it needs.
        fields = [f for f in VolunteerProfileForm.Meta.fields if f not in ("email", "latitude", "longitude")]

    def validate_unique(self) -> None:
        # The IIN is the form's only unique field; user_register's full_clean still checks
        # everything else before saving.
        return None


class OwnProfileForm(VolunteerProfileForm):
    """The person's own profile (/me/edit/). Nothing here says whether an IIN is on file: the
    service keeps one that another record holds off the profile, as registration does, and the
    person enters their IIN once — then it is read-only here and staff correct it, so that
    testing IINs costs an account each (services.volunteer_update)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and own_iin_locked(volunteer=self.instance):
            field = self.fields["iin"]
            # A disabled field keeps the value on file whatever is posted.
            field.disabled = True
            field.help_text = _(
                "Once entered, the IIN is changed by staff: contact your region's coordinator."
            )
        if self.instance.pk is not None and self.instance.is_minor():
            # The guardian's consent and what a minor may do hang on it (volunteer_update refuses
            # the change too); guardian.js still reads the disabled field's value.
            birth_date = self.fields["birth_date"]
            birth_date.disabled = True
            birth_date.help_text = MINORS_BIRTH_DATE_BY_STAFF


class CoordinatorVolunteerForm(VolunteerProfileForm):
    """What a coordinator edits on a roster entry: the profile plus status and detachment."""

    filled_by_staff = True

    class Meta(VolunteerProfileForm.Meta):
        fields = [*VolunteerProfileForm.Meta.fields, "status", "detachment"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # The scope checks the detachment posted; the page that shows the bar (unbound) gets its
        # options from the roster's filter (share_choices) and does without building it.
        if self.is_bound:
            cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachment_scope(
                user
            ).select_related("region")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)


class GuardianPaperConsentMixin(forms.Form):
    """The minor's guardian's signed consent, when staff have it at hand: the box, and the form's
    number and date (law 42-VI art. 12; a consent is evidence only with its document)."""

    # Its fields, which are the consent's (`guardian_consent`), not the profile's.
    PAPER_CONSENT_FIELDS = ("guardian_consent_received", "guardian_document_number", "guardian_document_date")

    guardian_consent_received = forms.BooleanField(
        required=False,
        label=_("The written consent of the parent or legal representative has been received"),
    )
    guardian_document_number = forms.CharField(
        required=False, max_length=50, label=_("Number of the guardian's consent form")
    )
    guardian_document_date = DayField(required=False, label=_("Date of the guardian's consent form"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("guardian_consent_received"):
            for name in ("guardian_document_number", "guardian_document_date"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Required when the guardian's written consent is at hand."))
        return cleaned

    def guardian_consent(self) -> PaperConsent | None:
        if not self.cleaned_data.get("guardian_consent_received"):
            return None
        return PaperConsent(
            document_number=self.cleaned_data["guardian_document_number"].strip(),
            document_date=self.cleaned_data["guardian_document_date"],
        )

    def profile_data(self) -> dict[str, Any]:
        data = super().profile_data()  # type: ignore[misc]
        for name in self.PAPER_CONSENT_FIELDS:
            data.pop(name, None)
        return data


class TakenIinFlaggedMixin(forms.ModelForm):
    """For the forms that add someone (a walk-in, a detachment member): an IIN already on file does
    not stop the person being added. volunteer_create keeps it off the new record and flags the
    two as a possible duplicate for a coordinator to merge. On an edit a taken IIN is
    volunteer_update's to answer: named only to staff who may know of the record holding it."""

    def validate_unique(self) -> None:
        if self.instance.pk is not None:
            super().validate_unique()


class WalkInVolunteerForm(TakenIinFlaggedMixin, GuardianPaperConsentMixin, CoordinatorVolunteerForm):
    """A person who came to the office: their own consent is the signed paper form kept there."""

    own_document_number = forms.CharField(
        max_length=50,
        label=_("Number of the signed consent form"),
        help_text=_("The person's own consent to the processing of personal data, kept by the region."),
    )

    def profile_data(self) -> dict[str, Any]:
        data = super().profile_data()
        data.pop("own_document_number", None)
        return data

    def own_consent(self) -> PaperConsent:
        return PaperConsent(
            document_number=self.cleaned_data["own_document_number"].strip(),
            document_date=timezone.localdate(),
        )


class GuardianConsentForm(forms.Form):
    """Staff record a guardian's written consent: the document, and a confirmation step."""

    document_number = forms.CharField(max_length=50, label=_("Number of the signed consent form"))
    document_date = DayField(label=_("Date on the form"))
    confirm = forms.BooleanField(
        label=_("I have the consent form signed by the parent or legal representative in front of me"),
        error_messages={"required": _("Confirm that you have the signed form.")},
    )

    def paper(self) -> PaperConsent:
        return PaperConsent(
            document_number=self.cleaned_data["document_number"].strip(),
            document_date=self.cleaned_data["document_date"],
        )


class OwnPaperConsentForm(forms.Form):
    """Staff record the consent form signed by someone who came of age awaiting their guardian."""

    document_number = forms.CharField(max_length=50, label=_("Number of the signed consent form"))
    confirm = forms.BooleanField(
        label=_("I have the consent form signed by the person in front of me"),
        error_messages={"required": _("Confirm that you have the signed form.")},
    )

    def paper(self) -> PaperConsent:
        return PaperConsent(
            document_number=self.cleaned_data["document_number"].strip(), document_date=timezone.localdate()
        )


class GuardianConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label=_("Why is the consent withdrawn?"), widget=forms.TextInput(attrs={"size": 40})
    )


class ErasureRequestForm(forms.Form):
    """Staff erase a person's data on their request: how the request came, and a confirmation."""

    basis = forms.CharField(
        max_length=ERASURE_BASIS_MAX_LENGTH,
        label=_("Request received as"),
        help_text=_(
            "The kind of request and its reference, e.g. “written application No. 12 of 3 March”. "
            "It stays on file after the erasure: do not write the person's name or contacts."
        ),
        error_messages={"required": _("Say how the request was received.")},
        widget=forms.TextInput(attrs={"size": 40}),
    )
    confirm = forms.BooleanField(
        label=_("I have checked the request and understand that the erasure cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class OwnConsentForm(forms.Form):
    """A person who came of age while awaiting their guardian consents for themselves."""

    agree = forms.BooleanField(
        label=_("I consent to the processing of my personal data under the terms shown"),
        error_messages={"required": _("Tick the box to give your consent.")},
    )


class GuardianConfirmForm(forms.Form):
    """The page a guardian opens from their personal link."""

    guardian_name = forms.CharField(max_length=200, label=_("Your full name"))
    agree = forms.BooleanField(
        label=_(
            "As the parent or legal representative, I consent to the processing of the child's "
            "personal data and to their taking part in volunteer activities allowed for their age."
        ),
        error_messages={"required": _("Tick the box to give your consent.")},
    )


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, phone or e-mail")}),
    )
    region = RegionChoiceField(
        queryset=Region.objects.none(),
        required=False,
        label=_("Region"),
        empty_label=_("All regions"),
        widget=FastSelect,
    )
    skill = SkillSingleChoiceField(
        queryset=Skill.objects.all(), required=False, label=_("Skill"), widget=FastSelect
    )
    detachment = forms.ModelChoiceField(
        queryset=Volunteer.objects.none(),  # set per user in __init__
        required=False,
        label=_("Detachment"),
        empty_label=_("Any detachment"),
        widget=FastSelect,
    )
    age_group = forms.ChoiceField(
        required=False,
        widget=FastSelect,
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
        widget=FastSelect,
        label=_("Available"),
        choices=[
            ("", _("Any time")),
            ("weekdays", _("Weekdays")),
            ("evenings", _("Evenings")),
            ("weekends", _("Weekends")),
        ],
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Any status")), *Volunteer.Status.choices],
        widget=FastSelect,
    )
    consent = forms.ChoiceField(
        required=False,
        label=_("Guardian consent"),
        choices=[("", _("Any")), ("missing", _("Minors without consent"))],
        widget=FastSelect,
    )
    # The overview's "new in the last 7 days" links here with "week".
    registered = forms.ChoiceField(
        required=False,
        label=pgettext_lazy("roster filter", "Registered"),
        choices=[
            ("", pgettext_lazy("registered", "Any time")),
            ("week", _("In the last 7 days")),
            ("month", _("In the last 30 days")),
        ],
        widget=FastSelect,
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)
        # A filter needs the detachment's id only; its options (read once for this form and the
        # bulk bar, see share_choices) only what their label shows. Nationally that is 400
        # detachments a page: without their regions and other columns they read in a third.
        # The queryset checks a chosen detachment, so an unbound form (the roster's first page,
        # whose options the view reads itself) does without: building it cost a tenth of a
        # millisecond on every such page.
        if self.is_bound:
            cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachment_scope(user).only(
                "school_name", "school_number", "locality"
            )
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
            consent=data.get("consent", ""),
            registered=data.get("registered", ""),
            sort=data.get("sort") or "name",
        )


class SkillForm(forms.ModelForm):
    """A catalogue entry: a code for links and the API, and its name in each language."""

    class Meta:
        model = Skill
        fields = ["code", "name_kk", "name_ru", "name_en"]
        help_texts = {
            "code": _(
                "Latin letters, digits and hyphens, e.g. first-aid. Links and the API filter by it, "
                "so change it only to correct a mistake."
            ),
        }

    def validate_unique(self) -> None:
        # The service checks the code (case-insensitively, with its own message) and the
        # database's unique index has the last word.
        pass

    def skill_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class RosterBulkForm(forms.Form):
    """One change for the volunteers ticked on a roster page."""

    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Tick at least one volunteer.")}
    )
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[
            ("status", _("Set status")),
            ("detachment", _("Put in detachment")),
            ("skill", _("Add skill")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=Volunteer.Status.choices)
    detachment = forms.ModelChoiceField(
        label=_("Detachment"), required=False, queryset=Volunteer.objects.none(), widget=FastSelect
    )
    skill = SkillSingleChoiceField(
        label=_("Skill"), required=False, queryset=Skill.objects.all(), widget=FastSelect
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ids are checked against the user's scope by the view's selector; any integer may be posted.
        ids_field = cast(forms.TypedMultipleChoiceField, self.fields["ids"])
        # A whole number an id can be (not "0", nor one past a 64-bit integer, which SQLite
        # cannot even compare).
        ids_field.valid_value = lambda value: id_param(value) is not None  # type: ignore[method-assign]
        # The scope checks the detachment posted; the page that shows the bar (unbound) gets its
        # options from the roster's filter (share_choices) and does without building it.
        if self.is_bound:
            cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachment_scope(
                user
            ).select_related("region")
        # Putting people back to "active" goes through their own page (a minor may await consent).
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            c for c in Volunteer.Status.choices if c[0] != Volunteer.Status.AWAITING_GUARDIAN
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action and not cleaned.get(action):
            self.add_error(action, _("Choose what to set."))
        return cleaned

    def value(self) -> Any:
        return self.cleaned_data[self.cleaned_data["action"]]


class DuplicateFilterForm(forms.Form):
    """The possible-duplicates list: pairs of one region of the user's scope."""

    region = RegionChoiceField(
        queryset=Region.objects.none(), required=False, empty_label=_("All regions"), label=_("Region")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)

    def region_id(self) -> int | None:
        if not self.is_bound or not self.is_valid():
            return None
        region = self.cleaned_data.get("region")
        return region.pk if region else None


class MergeForm(forms.Form):
    """Which of the two records stays; the other is merged into it and removed."""

    keep = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label=_("Which record stays?"), choices=()
    )

    def __init__(self, *args: Any, pair: tuple[Volunteer, Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["keep"])
        field.choices = [
            (v.pk, _("Keep record #%(id)s: %(name)s") % {"id": v.pk, "name": v.full_name}) for v in pair
        ]
        self.pair = pair

    def keep_and_drop(self) -> tuple[Volunteer, Volunteer]:
        first, second = self.pair
        return (first, second) if self.cleaned_data["keep"] == first.pk else (second, first)
