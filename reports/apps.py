from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The export and dashboard registries are filled here, once every app below is loaded:
        # reports/ reads the others; none of them knows it exists. For the same reason volunteers/
        # cannot ask reports/ for a person's certificates: erasure and "download my data" reach
        # them through volunteers/extensions.py.
        from volunteers import extensions

        from . import registry, selectors, services

        registry.register_builtin()
        extensions.register_anonymize_hook(services.volunteer_certificates_anonymize)
        extensions.register_personal_data_section("certificates", selectors.personal_data_certificates)
