from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The export and dashboard registries are filled here, once every app below is loaded:
        # reports/ reads the others; none of them knows it exists.
        from . import registry

        registry.register_builtin()
