"""Writes for front offices. National staff open offices and assign their staff in the admin;
coordinators keep the details of their regions' offices here."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import FrontOffice

# What a coordinator may change. The region and the staff are national staff's decision.
EDITABLE_FIELDS = ("name", "address", "latitude", "longitude", "phone", "email")


@transaction.atomic
def front_office_update(*, office: FrontOffice, data: dict[str, Any]) -> FrontOffice:
    """Update an office's name, address, point and contacts; other keys are ignored.

    Validated by the model (phone in E.164, the point inside Kazakhstan) before saving.
    """
    locked = FrontOffice.objects.select_for_update().get(pk=office.pk)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    locked.full_clean()
    locked.save(update_fields=list(EDITABLE_FIELDS))
    # Keep the caller's instance in step with what was saved.
    office.refresh_from_db()
    return locked
