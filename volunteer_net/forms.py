"""Form helpers shared by every app's pages."""

import datetime
import html
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# The days anyone may type, on a page or through the API. Year 1 and year 9999 are valid dates,
# but the day after 9999-12-31, or the UTC instant of 0001-01-01's Almaty midnight, do not exist:
# a period, a filter or a schedule reaching them overflowed (a 500). No volunteer's birth, no
# campaign, no report of this network falls outside.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)


def validate_calendar_day(value: datetime.date) -> None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Choose a date from %(earliest)s to %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DAY.year, "latest": LATEST_DAY.year},
        )


class DateInput(forms.DateInput):
    """A date picker (ISO value) that offers only the days DayField accepts."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "min": EARLIEST_DAY.isoformat(),
            "max": LATEST_DAY.isoformat(),
            **(kwargs.pop("attrs", None) or {}),
        }
        super().__init__(format="%Y-%m-%d", attrs=attrs, **kwargs)


# A day written as people write one: 31.02.1999 (day first, any of . / -) or 1999-02-31.
_WRITTEN_DAY = re.compile(r"^\s*(?:(\d{1,2})[./-](\d{1,2})[./-](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2}))\s*$")


def _no_such_day(value: str) -> bool:
    """Whether `value` is written as a date but names a day the calendar lacks (31 February)."""
    match = _WRITTEN_DAY.match(value)
    if match is None:
        return False
    day, month, year = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
    if not 1 <= int(month) <= 12:
        return False  # a month past 12 is more likely the order mistaken
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return True
    return False


class DayField(forms.DateField):
    """A date between EARLIEST_DAY and LATEST_DAY, with a date picker."""

    widget = DateInput
    default_validators = [validate_calendar_day]

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            # "Enter a valid date" for 31.02.1999 sent people looking for a wrong format.
            if isinstance(value, str) and _no_such_day(value):
                raise ValidationError(
                    _("There is no such day in the calendar: %(value)s."),
                    code="no_such_day",
                    params={"value": value.strip()},
                ) from None
            raise


def validate_calendar_moment(value: datetime.datetime | None) -> None:
    # The day as typed (a form's value is in Almaty time): it is the conversion to UTC for
    # storage, not the typed value, that overflows in year 1.
    if value is not None:
        validate_calendar_day(value.date())


class DateTimeLocalInput(forms.DateTimeInput):
    """A date-and-time picker (Almaty time) that offers only the days DayTimeField accepts."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "min": f"{EARLIEST_DAY.isoformat()}T00:00",
            "max": f"{LATEST_DAY.isoformat()}T23:59",
            **(kwargs.pop("attrs", None) or {}),
        }
        super().__init__(format="%Y-%m-%dT%H:%M", attrs=attrs, **kwargs)


class DayTimeField(forms.DateTimeField):
    """A date and time on a day between EARLIEST_DAY and LATEST_DAY (DayField's days)."""

    widget = DateTimeLocalInput
    default_validators = [validate_calendar_moment]


# The largest integer a PostgreSQL bigint or an SQLite INTEGER holds. Every id is below it; a
# larger number typed as an id (or a page) is not "no such row" to the database but an overflow
# (a 500), so it is refused before any query.
MAX_BIGINT = 2**63 - 1


def id_param(value: Any) -> int | None:
    """An id read from a query parameter (whole number, 1 to MAX_BIGINT), else None."""
    text = str(value or "").strip()
    # ASCII digits only: int() also reads "+5", "1_000" and Arabic-Indic digits. The length
    # check keeps int() from parsing thousands of digits only to refuse them.
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_BIGINT)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_BIGINT else None


def apply_service_errors(form: Any, exc: ValidationError, *other_forms: Any) -> None:
    """Show a service's ValidationError by the field it names, on whichever form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = next((f for f in (form, *other_forms) if field in f.fields), None)
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(field, errors)


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than through one template per option.

    The roster's filters offer hundreds of detachments; Django's widget templates spent more time
    on those options than the database spent on the whole page. The markup is the same.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            # html.escape per value rather than format_html per option: hundreds of options a
            # page. (Django's escape is this same call behind a check for lazy strings, which
            # costs as much again.) An id needs none; a label already escaped (share_choices
            # escapes a list once for the two selects that show it) stays as it is, as in
            # Django's own widget template.
            value_html = option if type(option_value) is int else html.escape(option)
            label_html = label if isinstance(label, SafeString) else html.escape(str(label))
            mark = " selected" if option in selected else ""
            options.append(f'<option value="{value_html}"{mark}>{label_html}</option>')
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(options)))  # noqa: S308 (escaped above)


def share_choices(
    source: forms.Form,
    target: forms.Form | None,
    *names: str,
    given: dict[str, list[tuple[Any, str]]] | None = None,
) -> dict[str, dict[Any, SafeString]]:
    """Read a model select's options once for two forms on one page (the roster's filters and its
    bulk bar offer the same detachments and skills); each keeps its own empty option.

    One plain SELECT per field: Django's own choice iterator would count the rows first and then
    read them through a server-side cursor, for every form that renders them. The labels are
    escaped here, once for both selects (FastSelect leaves them as they are), and returned by
    field name and id for the page to show them elsewhere too. `given`: (id, label) of a field
    read by the caller (without models, say) instead of from its queryset."""
    shared: dict[str, dict[Any, SafeString]] = {}
    for name in names:
        field = source.fields[name]
        if given and name in given:
            labelled = given[name]
        else:
            # A field that orders its own options (regions by name) says so with in_order().
            objects = field.in_order() if hasattr(field, "in_order") else field.queryset  # type: ignore[attr-defined]
            labelled = [(obj.pk, field.label_from_instance(obj)) for obj in objects]  # type: ignore[attr-defined]
        options = [(pk, SafeString(html.escape(str(label)))) for pk, label in labelled]
        empty = getattr(field, "empty_label", None)
        source.fields[name].widget.choices = _Ready([("", empty), *options] if empty is not None else options)
        if target is not None:
            target.fields[name].widget.choices = _Ready([("", "—"), *options])
        shared[name] = dict(options)
    return shared


class _Ready(BaseChoiceIterator):
    """Options already in (value, label) pairs. Django takes a choice iterator as it is, where it
    walks a plain list pair by pair, value by value, to normalise it (1,200 calls for the 400
    national detachments, for each of the two selects)."""

    def __init__(self, options: list[tuple[Any, Any]]) -> None:
        self.options = options

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)
