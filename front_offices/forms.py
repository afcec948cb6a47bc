from __future__ import annotations

from typing import Any

from django import forms

from .models import FrontOffice
from .services import EDITABLE_FIELDS


class FrontOfficeForm(forms.ModelForm):
    class Meta:
        model = FrontOffice
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "latitude": forms.NumberInput(attrs={"step": "0.00001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.00001"}),
        }

    def office_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in EDITABLE_FIELDS}
