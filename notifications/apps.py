from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from .sweeper import start_in_process_sweeper

        # `make run` has no Redis and no beat: the development server sends due messages itself.
        start_in_process_sweeper()
