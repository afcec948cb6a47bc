"""Celery finds an app's tasks in <app>.tasks; the import's live in its own package."""

from .imports.tasks import clean_up_imports, import_batch, validate_batch

__all__ = ["clean_up_imports", "import_batch", "validate_batch"]
