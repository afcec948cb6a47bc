from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontOfficesConfig(AppConfig):
    name = "front_offices"
    verbose_name = _("Front offices")

    def ready(self) -> None:
        from . import admin  # noqa: F401
