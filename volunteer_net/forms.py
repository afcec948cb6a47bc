"""Form helpers shared by every app's pages."""

from typing import Any

from django.core.exceptions import ValidationError


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
