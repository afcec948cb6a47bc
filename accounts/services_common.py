"""Write helpers that every app's services share.

They live in accounts because it is the ground floor of our apps (accounts → regions →
volunteers → detachments, front_offices) and a lower app never imports a higher one: from here
any app's services may use them. The module itself knows no model of ours.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, models, transaction
from django.template.loader import render_to_string
from django.utils import translation

M = TypeVar("M", bound=models.Model)


def refuse_unknown_fields(*, fields: Collection[str], data: Mapping[str, Any]) -> None:
    """A service writes the fields it names, no others: a key outside them is a caller's bug,
    refused loudly (like an unexpected keyword argument) rather than written or dropped unseen."""
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TypeError(f"fields that may not be written here: {', '.join(unknown)}")


def model_update(*, instance: M, fields: Collection[str], data: Mapping[str, Any]) -> tuple[M, list[str]]:
    """Set those of `fields` given in `data` whose value differs, validate the whole instance and
    save only the changed columns (with any `auto_now` timestamp).

    Returns the instance and the names of the fields that changed, in the order of `fields`
    (empty: nothing was validated or saved). Keys of `data` outside `fields` are refused with
    TypeError; many-to-many fields are set by the caller after the row is saved.
    """
    refuse_unknown_fields(fields=fields, data=data)
    meta = instance._meta
    changed: list[str] = []
    for name in fields:
        if name not in data:
            continue
        field = meta.get_field(name)
        if not field.concrete or field.many_to_many:
            raise TypeError(f"{name} is not a column; set it after saving")
        value = data[name]
        if field.is_relation:
            # Compare keys: reading the current related object would cost a query per field.
            current: Any = getattr(instance, field.attname)  # type: ignore[union-attr]
            new = value.pk if isinstance(value, models.Model) else value
        else:
            current, new = getattr(instance, name), value
        if current != new:
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        instance.full_clean()
        auto_now = [f.name for f in meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=[*changed, *auto_now])
    return instance, changed


def unique_violation_field(exc: IntegrityError, model: type[models.Model]) -> str | None:
    """The field whose unique constraint (or index) on `model`'s table `exc` violated.

    NON_FIELD_ERRORS for a constraint over several fields; None when `exc` is no unique violation
    of this table (a check constraint, a foreign key, another table). Read from the constraint
    PostgreSQL names in the error, never from the wording of the message.
    """
    table = model._meta.db_table
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:  # PostgreSQL (psycopg2)
        if diag.table_name != table:  # type: ignore[union-attr]
            return None
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table).get(constraint)
        if not found or not (found["unique"] or found["primary_key"]):
            return None
        columns = found["columns"]
    else:
        # SQLite names no constraint; its message lists the columns: "UNIQUE constraint failed:
        # volunteers_volunteer.iin".
        prefix = "UNIQUE constraint failed: "
        message = str(exc)
        if not message.startswith(prefix):
            return None
        qualified = [c.strip() for c in message[len(prefix) :].split(",")]
        if not all(c.startswith(table + ".") for c in qualified):
            return None
        columns = [c[len(table) + 1 :] for c in qualified]
    if len(columns) != 1:
        return NON_FIELD_ERRORS
    by_column = {f.column: f.name for f in model._meta.concrete_fields}
    return by_column.get(columns[0])


def mail_send(*, to: str, template: str, context: Mapping[str, object], language: str) -> None:
    """Render a mail in `language` from three templates, `<template>_subject.txt`,
    `<template>.txt` and `<template>.html`, and send it once the surrounding transaction has
    committed (a rolled-back write sends nothing). The recipient's address is in the context as
    `email`."""
    with translation.override(language):
        context = {**context, "email": to}
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to])
    message.attach_alternative(html, "text/html")
    # robust: a mail server that is down must not turn a committed write into an error page;
    # the failure is logged, and the action can be repeated to send the mail again.
    transaction.on_commit(message.send, robust=True)
