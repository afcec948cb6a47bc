from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Campaigns and shifts")

    def ready(self) -> None:
        # Admin modules are registered explicitly (see INSTALLED_APPS: SimpleAdminConfig).
        # volunteers/ cannot import events/ (it sits below): events adds its part to "download
        # my data" and to anonymisation through volunteers/extensions.py.
        from volunteers import extensions
        from volunteers import services as volunteer_services

        from . import (
            admin,  # noqa: F401
            merging,
            selectors,
            services,
        )

        extensions.register_personal_data_section("shifts", selectors.personal_data_shifts)
        extensions.register_personal_data_section("transport", selectors.personal_data_transport)
        extensions.register_personal_data_section("callouts", selectors.personal_data_callouts)
        extensions.register_anonymize_hook(services.volunteer_signups_cancel_upcoming)
        extensions.register_anonymize_hook(services.calendar_feed_revoke)
        # A paused or archived profile takes part in nothing: its upcoming places go back.
        volunteer_services.register_stop_hook(services.volunteer_signups_cancel_upcoming)
        # A corrected birth date or a merge: places the law now keeps the person from go back.
        volunteer_services.register_age_hook(services.volunteer_signups_cancel_upcoming)
        # Their shifts are locked before the person's row, as a sign-up locks them (the lock order).
        volunteer_services.register_lock_ahead_hook(services.volunteer_shifts_lock_ahead)
        # After the sign-ups: every transport request of the person, past ones too, whatever
        # became of its sign-up; and their call-out links.
        extensions.register_anonymize_hook(services.volunteer_transport_erase)
        extensions.register_anonymize_hook(services.volunteer_callout_links_revoke)
        # A merge of two records of one person: their sign-ups for one shift become one.
        extensions.register_merge_hook(merging.signups_merge)
        extensions.register_detail_api_field("hours", selectors.volunteer_hours_text)
        extensions.register_hour_source("shifts", selectors.volunteer_hours_for)
