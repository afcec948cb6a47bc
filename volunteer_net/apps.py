from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig


class VolunteerNetConfig(AppConfig):
    """The project package as an app: project-wide management commands (seed_demo)."""

    name = "volunteer_net"
    verbose_name = "Volunteer Net"


class AdminConfig(SimpleAdminConfig):
    """The admin without autodiscovery — django-leaflet's admin module imports GeoDjango, which
    needs the GDAL library — and with the national-staff-only site. Each app registers its admin
    in AppConfig.ready()."""

    default_site = "volunteer_net.admin_site.NationalStaffAdminSite"
