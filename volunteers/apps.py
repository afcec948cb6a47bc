from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from . import admin  # noqa: F401
        from .collation import register_sqlite_collations

        connection_created.connect(register_sqlite_collations, dispatch_uid="volunteers_sqlite_collations")
