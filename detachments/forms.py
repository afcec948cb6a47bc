from __future__ import annotations

from typing import Any, cast

from django import forms
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
        data["region"] = self.detachment.region
        data["detachment"] = self.detachment
        return data


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
