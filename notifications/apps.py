from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # volunteers/ sits below notifications/: the person's messages and message preferences
        # reach "download my data" through volunteers/extensions.py.
        from volunteers import extensions

        from . import selectors, services
        from .guardian import SmsGuardianLinkMessenger
        from .sweeper import start_in_process_sweeper

        extensions.register_personal_data_section("messages", selectors.personal_data_messages)
        extensions.register_personal_data_section(
            "message_preferences", selectors.personal_data_message_preferences
        )
        # A channel turned off under either of two merged records stays off.
        extensions.register_merge_hook(services.message_preferences_merge)
        # A minor's consent link goes to the guardian's phone, never to the minor.
        extensions.register_guardian_link_messenger(SmsGuardianLinkMessenger())
        # `make run` has no Redis and no beat: the development server sends due messages itself.
        start_in_process_sweeper()
