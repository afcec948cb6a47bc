from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from regions.models import Region
from regions.scoping import region_queryset_for
from volunteers.forms import (
    GuardianPaperConsentMixin,
    RegionChoiceField,
    TakenIinFlaggedMixin,
    VolunteerProfileForm,
)

from .models import Detachment


class DetachmentMemberForm(TakenIinFlaggedMixin, GuardianPaperConsentMixin, VolunteerProfileForm):
    """A curator registers members of their own detachment (usually minors)."""

    region = None  # type: ignore[assignment]  # members belong to the detachment's region
    filled_by_staff = True

    class Meta(VolunteerProfileForm.Meta):
        fields = [f for f in VolunteerProfileForm.Meta.fields if f != "region"]

    def __init__(self, *args: Any, detachment: Detachment, **kwargs: Any) -> None:
        self.detachment = detachment
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        # A pupil of the first grades has no phone of their own, and the guardian's number may not
        # stand in for it (their consent link would go to the child's): the curator leaves it empty.
        self.fields["phone"].required = False
        # A member belongs to the detachment's region; set it before model validation runs.
        self.instance.region = detachment.region
        self.instance.detachment = detachment

    def profile_data(self) -> dict[str, Any]:
        data = super().profile_data()
        data["region"] = self.detachment.region
        data["detachment"] = self.detachment
        return data


class DetachmentForm(forms.ModelForm):
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("Region"))
    curator_email = forms.EmailField(
        label=_("Curator's e-mail"),
        required=False,
        help_text=_(
            "We mail an invitation to this address; the person becomes the curator once they "
            "accept it (a new address gets an account then). Leave the field empty to remove "
            "the curator."
        ),
    )

    class Meta:
        model = Detachment
        fields = ["school_name", "school_number", "locality", "region", "latitude", "longitude"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = region_queryset_for(user)
        if self.instance.curator_id:
            self.fields["curator_email"].initial = self.instance.curator.email

    def clean_curator_email(self) -> str:
        return (self.cleaned_data.get("curator_email") or "").strip().lower()

    def _current_curator_email(self) -> str:
        return self.instance.curator.email.lower() if self.instance.curator_id else ""

    def detachment_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "curator_email"}
        if not self.cleaned_data.get("curator_email") and self.instance.curator_id:
            # An emptied field removes the curator; a new one comes by invitation only.
            data["curator"] = None
        return data

    def invite_email(self) -> str:
        """The address to invite: a typed one that is not the current curator's; else ""."""
        email: str = self.cleaned_data.get("curator_email", "")
        return email if email and email != self._current_curator_email() else ""


class CuratorAccountForm(forms.Form):
    """An invitee without an account names themselves and chooses a password."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
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

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords do not match."), code="mismatch")
            )
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
