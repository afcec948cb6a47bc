import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "volunteer_net.settings")

app = Celery("volunteer_net")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic tasks are scheduled in code (CELERY_BEAT_SCHEDULE in settings), reviewed and versioned
# with the tasks they call.
