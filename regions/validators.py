"""Checks of places that every app with a map point shares."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kazakhstan's extent, rounded outwards: a point outside is a typo (swapped coordinates, a
# missing digit), not a school or an office.
LATITUDE_RANGE = (Decimal("40.5"), Decimal("55.5"))
LONGITUDE_RANGE = (Decimal("46.5"), Decimal("87.5"))


def validate_point_in_kazakhstan(latitude: Decimal | float | None, longitude: Decimal | float | None) -> None:
    """A map point is given whole (both coordinates, or neither) and lies in Kazakhstan.

    Raises a ValidationError keyed by "latitude" and "longitude", as the models name them, so
    that forms show each message by its field.
    """
    errors: dict[str, list[ValidationError]] = {}
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        errors[missing] = [
            ValidationError(_("Enter both the latitude and the longitude, or neither."), code="incomplete")
        ]
    for field, value, (low, high) in (
        ("latitude", latitude, LATITUDE_RANGE),
        ("longitude", longitude, LONGITUDE_RANGE),
    ):
        if value is not None and not low <= Decimal(str(value)) <= high:
            errors.setdefault(field, []).append(
                ValidationError(
                    _("The point must lie in Kazakhstan: between %(low)s and %(high)s."),
                    code="outside_kazakhstan",
                    params={"low": low, "high": high},
                )
            )
    if errors:
        raise ValidationError(errors)
