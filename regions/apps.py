from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        # Admin modules are registered explicitly (see INSTALLED_APPS: SimpleAdminConfig).
        from . import admin  # noqa: F401
