from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.scoping import region_queryset_for
from volunteer_net.forms import DayField

from ..forms import RegionChoiceField
from .mapping import FIELDS
from .models import DuplicateChoice, ImportBatch


class UploadForm(forms.Form):
    region = RegionChoiceField(
        queryset=None,
        label=_("Region of the list"),
        help_text=_("Rows without a region column join this region."),
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,.txt,.xls,.ods"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = region_queryset_for(user)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if len(regions) == 1:
            self.fields["region"].initial = regions[0].pk


class MappingForm(forms.Form):
    """One choice per column of the file: the field it fills, or nothing."""

    def __init__(
        self, *args: Any, batch: ImportBatch, hidden: frozenset[int] | set[int] = frozenset(), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— do not import —")), *[(key, label) for key, label in FIELDS.items()]]
        if len(batch.sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=[(s, s) for s in batch.sheets], initial=batch.sheet
            )
        for index, header in enumerate(batch.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=batch.mapping.get(str(index), ""),
                # Not offered by itself (services._read_header): said, so that the coordinator
                # who does want it knows why it is left out.
                help_text=_("Hidden in the spreadsheet: not imported unless you choose a field.")
                if index in hidden
                else "",
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("col_")]


class DuplicateChoiceForm(forms.Form):
    for_all = forms.ChoiceField(label=_("For every duplicate"), choices=DuplicateChoice.choices)


class ConfirmForm(forms.Form):
    consent_confirmed = forms.BooleanField(
        required=False,
        label=_(
            "The region holds the signed personal-data consents of the people in this file "
            "(paper consent held by the region)"
        ),
    )
    consent_date = DayField(
        required=False,
        label=_("Date of the consents or of the list"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_date"].initial = timezone.localdate()
