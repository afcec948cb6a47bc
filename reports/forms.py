from __future__ import annotations

import dataclasses
import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from detachments.models import Detachment, school_display_name
from events.models import Campaign
from front_offices.models import FrontOffice
from front_offices.selectors import front_office_list
from regions.models import Region
from regions.scoping import is_national_staff, region_queryset_for, scope_queryset
from volunteer_net.forms import DayField, FastSelect, share_choices
from volunteers.forms import RegionChoiceField
from volunteers.models import Volunteer

from .certificates import normalised_code
from .registry import EXPORTS
from .scope import ReportScope, default_period

# A campaign picker lists this many recent campaigns; any other in scope is still accepted by id
# (links from a campaign's page), so that a region with thousands does not send them all.
CAMPAIGN_CHOICES = 300
MAX_PERIOD_DAYS = 366 * 5


class DetachmentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Detachment) -> str:
        return obj.name


class OfficeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FrontOffice) -> str:
        return obj.name


class ReportScopeForm(forms.Form):
    """Period and scope pickers, shared by the dashboard and the exports."""

    start = DayField(label=_("From"), required=False)
    end = DayField(label=_("To"), required=False)
    region = RegionChoiceField(
        queryset=Region.objects.none(),
        required=False,
        label=_("Region"),
        empty_label=_("All regions"),
        widget=FastSelect,
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        label=_("Campaign"),
        empty_label=_("Any campaign"),
        widget=FastSelect,
    )
    detachment = DetachmentField(
        queryset=Detachment.objects.none(),
        required=False,
        label=_("Detachment"),
        empty_label=_("Any detachment"),
        widget=FastSelect,
    )
    office = OfficeField(
        queryset=FrontOffice.objects.none(),
        required=False,
        label=_("Front office"),
        empty_label=_("Any front office"),
        widget=FastSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        regions = region_queryset_for(user)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions
        campaigns = scope_queryset(Campaign.objects.all(), user)
        cast(forms.ModelChoiceField, self.fields["campaign"]).queryset = campaigns
        recent = list(campaigns.order_by("-starts_on", "-id").values_list("pk", "title")[:CAMPAIGN_CHOICES])
        detachments = scope_queryset(Detachment.objects.all(), user).order_by("school_name")
        cast(forms.ModelChoiceField, self.fields["detachment"]).queryset = detachments
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = front_office_list(
            user=user
        ).prefetch_related(None)
        # Every picker's options from one plain SELECT, handed to the selects as they are: the
        # model choice iterator counted each field's rows and then read them through a server-side
        # cursor, and a plain list was walked option by option to be normalised — together more
        # than half a served dashboard's time for national staff. Campaigns and detachments are
        # read as values: national staff pick among hundreds, and a model per option costs more
        # than the rest of the form.
        share_choices(
            self,
            None,
            "region",
            "campaign",
            "detachment",
            "office",
            given={
                "campaign": recent,
                "detachment": [
                    (pk, school_display_name(name, number))
                    for pk, name, number in detachments.values_list("pk", "school_name", "school_number")
                ],
            },
        )
        if not self.is_bound:
            start, end = default_period()
            self.initial.setdefault("start", start)
            self.initial.setdefault("end", end)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        default_start, default_end = default_period()
        start = start or default_start
        end = end or max(default_end, start)
        if end < start:
            self.add_error("end", _("The end of the period cannot come before its start."))
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("start", _("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> ReportScope:
        """The valid scope; a bad value falls back to its default (the error is shown)."""
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        else:
            data = {}
        if "start" not in data or "end" not in data or self.errors.get("end") or self.errors.get("start"):
            data["start"], data["end"] = default_period()

        def pk(name: str) -> int | None:
            obj = data.get(name)
            return obj.pk if obj is not None else None

        return ReportScope(
            user=self.user,
            start=data["start"],
            end=data["end"],
            region=pk("region"),
            campaign=pk("campaign"),
            detachment=pk("detachment"),
            office=pk("office"),
        )


class ExportForm(ReportScopeForm):
    report = forms.ChoiceField(label=_("Report"), choices=[], widget=FastSelect)
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "XLSX (Excel)"), ("csv", "CSV")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    include_iin = forms.BooleanField(
        label=_("Include the IIN (national staff only; the export is recorded)"), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        cast(forms.ChoiceField, self.fields["report"]).choices = [(e.key, e.title) for e in EXPORTS.values()]
        if not is_national_staff(user):
            del self.fields["include_iin"]

    def export_scope(self) -> ReportScope:
        scope = self.scope()
        include_iin = bool(self.cleaned_data.get("include_iin")) and is_national_staff(self.user)
        return dataclasses.replace(scope, include_iin=include_iin)


class CertificateForm(forms.Form):
    start = DayField(label=_("From"))
    end = DayField(label=_("To"))
    language = forms.ChoiceField(
        label=_("Language of the certificate"),
        choices=Volunteer.Language.choices,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("start", datetime.date(today.year, 1, 1))
        self.initial.setdefault("end", today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot come before its start."))
        if end and end > timezone.localdate():
            self.add_error(
                "end", _("A certificate covers hours already given: the period cannot end in the future.")
            )
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)

    def clean_code(self) -> str:
        # The page's address holds the code: "a/b" made no address at all (a 500).
        code = normalised_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Enter the 16 digits of the code printed on the certificate."), code="invalid"
            )
        return code
