from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetachmentsConfig(AppConfig):
    name = "detachments"
    verbose_name = _("School detachments")

    def ready(self) -> None:
        from . import admin  # noqa: F401
