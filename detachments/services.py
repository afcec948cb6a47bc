"""Writes for school detachments."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Detachment


@transaction.atomic
def detachment_create(*, data: dict[str, Any]) -> Detachment:
    detachment = Detachment(**data)
    detachment.full_clean()
    detachment.save()
    return detachment


@transaction.atomic
def detachment_update(*, detachment: Detachment, data: dict[str, Any]) -> Detachment:
    for field, value in data.items():
        setattr(detachment, field, value)
    detachment.full_clean()
    detachment.save()
    return detachment
