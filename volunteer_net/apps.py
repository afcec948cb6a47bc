from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig


class VolunteerNetConfig(AppConfig):
    """The project package as an app: project-wide management commands (seed_demo) and system
    checks."""

    # Chosen over the admin configs this module also holds.
    default = True
    name = "volunteer_net"
    verbose_name = "Volunteer Net"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers them)


class AdminConfig(SimpleAdminConfig):
    """The admin without autodiscovery — django-leaflet's admin module imports GeoDjango, which
    needs the GDAL library — and with the national-staff-only site. Each app registers its admin
    in AppConfig.ready()."""

    default_site = "volunteer_net.admin_site.NationalStaffAdminSite"
