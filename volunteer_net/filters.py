"""Query-parameter fields the API's django-filter FilterSets share: a bad value is a 400 naming
the parameter (DRF turns the FilterSet's form errors into field errors), never a silent
"no filter" and never a 500."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from .forms import MAX_BIGINT, DayField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0): anything else is a 400, where Django's NullBooleanField would read
    "maybe" as no filter."""

    def clean(self, value: Any) -> bool | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class DayFilter(django_filters.DateFilter):
    """A day between 1900 and 2099 (volunteer_net.forms.DayField): a filter's day at the ends of
    the calendar would overflow its Almaty midnights."""

    field_class = DayField


class PositiveIntegerFilter(django_filters.Filter):
    """A whole number from 1 to MAX_BIGINT: an id past it overflowed the database's integer (a
    500) in the id filters it is used for."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_BIGINT)
        super().__init__(*args, **kwargs)


def parse_filters(
    filterset_class: type[django_filters.FilterSet], request: Request, queryset: QuerySet[Any]
) -> dict[str, Any]:
    """The cleaned query parameters of a FilterSet, for views that hand them to a selector
    (which does the filtering, shared with the pages); empty values left out."""
    filterset = filterset_class(data=request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
