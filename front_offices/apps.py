from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontOfficesConfig(AppConfig):
    name = "front_offices"
    verbose_name = _("Front offices")

    def ready(self) -> None:
        from volunteers import extensions
        from volunteers import services as volunteer_services

        from . import (
            admin,  # noqa: F401
            merging,
            selectors,
            services,
        )

        extensions.register_personal_data_section("front_office_visits", selectors.personal_data_visits)
        extensions.register_anonymize_hook(services.volunteer_visits_cancel_upcoming)
        # A paused or archived profile takes part in nothing: its upcoming visits are cancelled.
        volunteer_services.register_stop_hook(services.volunteer_visits_give_up)
        # After the cancellations, so that theirs are blanked too.
        extensions.register_anonymize_hook(services.volunteer_visit_texts_erase)
        # A merge of two records of one person: their visits in one slot become one.
        extensions.register_merge_hook(merging.visits_merge)
