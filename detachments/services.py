"""Writes for school detachments."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.services_common import model_update, refuse_unknown_fields

from .models import Detachment

# What a detachment's form may write; the key and creation time are the system's.
DETACHMENT_FIELDS = ("school_name", "school_number", "locality", "region", "latitude", "longitude", "curator")


@transaction.atomic
def detachment_create(*, data: dict[str, Any]) -> Detachment:
    """`data` may hold DETACHMENT_FIELDS only; any other key is refused with TypeError."""
    refuse_unknown_fields(fields=DETACHMENT_FIELDS, data=data)
    detachment = Detachment(**data)
    detachment.full_clean()
    detachment.save()
    return detachment


@transaction.atomic
def detachment_update(*, detachment: Detachment, data: dict[str, Any]) -> Detachment:
    """`data` may hold DETACHMENT_FIELDS only; any other key is refused with TypeError."""
    model_update(instance=detachment, fields=DETACHMENT_FIELDS, data=data)
    return detachment
