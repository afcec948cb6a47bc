from django.apps import AppConfig


class VolunteerNetConfig(AppConfig):
    """The project package as an app: project-wide management commands (seed_demo)."""

    name = "volunteer_net"
    verbose_name = "Volunteer Net"
