"""Model fields of the IIN at rest (see volunteers/crypto.py)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup

from . import crypto


class EncryptedIinField(models.CharField):
    """Reads and writes the IIN in clear; the column holds its Fernet token.

    A token differs at every write (random IV), so the column cannot be compared: every lookup
    but `isnull` is refused here rather than silently matching nothing — look people up by
    `iin_hash` (crypto.iin_digest)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value in (None, "") else crypto.encrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name != "isnull":
            raise TypeError(
                f"iin__{lookup_name}: the IIN is stored encrypted; filter on iin_hash=crypto.iin_digest(iin)"
            )
        return super().get_lookup(lookup_name)


class IinHashField(models.CharField):
    """HMAC-SHA256 of the model's IIN, kept in step with it on every save and bulk insert."""

    def __init__(self, *args: Any, source: str = "iin", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.source != "iin":
            kwargs["source"] = self.source
        kwargs.pop("max_length", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        iin = getattr(model_instance, self.source)
        value = crypto.iin_digest(iin) if iin else None
        setattr(model_instance, self.attname, value)
        return value
