from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Campaigns and shifts")

    def ready(self) -> None:
        # Admin modules are registered explicitly (see INSTALLED_APPS: SimpleAdminConfig).
        from . import admin  # noqa: F401
