from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Targeted help")

    def ready(self) -> None:
        # No admin is registered: beneficiaries' data is the most sensitive in the system, and the
        # admin would be a second door to it that skips the visibility window and the audit trail.
        # volunteers/ sits below care/: care adds its hours, its part of "download my data" and
        # its anonymisation step through volunteers/extensions.py.
        from detachments import extensions as detachment_extensions
        from notifications.links import subject_page_register
        from volunteers import extensions
        from volunteers import services as volunteer_services

        from . import merging, messages, selectors, services
        from .periodic import start_in_process

        # The message lists link a care message to its request's page, for the region's staff
        # too: its page shows the address only to those who go (selectors.contact_for).
        for subject_type in (messages.REQUEST_SUBJECT, messages.ASSIGNMENT_SUBJECT):
            subject_page_register(subject_type, label=_("Help request"), staff=True)
        extensions.register_hour_source("care", selectors.volunteer_care_hours)
        extensions.register_personal_data_section("care", selectors.personal_data_care)
        extensions.register_anonymize_hook(services.volunteer_assignments_withdraw)
        # A profile paused or archived takes part in nothing: its places go back to the requests.
        volunteer_services.register_stop_hook(services.volunteer_assignments_give_up)
        # A corrected birth date or a merge can make the person a minor: never alone on a visit.
        volunteer_services.register_age_hook(services.volunteer_assignments_recheck_age)
        # Moved to another region: its places on the old region's requests go back too.
        volunteer_services.register_move_hook(services.volunteer_assignments_moved)
        # Their requests are locked before the person's row, as an assignment locks them (the lock
        # order).
        volunteer_services.register_lock_ahead_hook(services.volunteer_requests_lock_ahead)
        # A merge of two records of one person: their assignments to one request become one.
        extensions.register_merge_hook(merging.assignments_merge)
        # A detachment left without its curator goes nowhere: its places go back to the requests.
        detachment_extensions.register_curator_gone_hook(services.detachment_assignments_release)
        detachment_extensions.register_move_refusal(services.detachment_move_refusal)
        # A new curator leads the detachment where it was sent: they are told where that is.
        detachment_extensions.register_curator_taken_over_hook(services.detachment_curator_taken_over)
        start_in_process()
