import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")

app = Celery("volunteer_net")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# No periodic task is scheduled yet. When one is, its schedule goes in code
# (CELERY_BEAT_SCHEDULE in settings) so that it is reviewed and versioned with the task it calls.
