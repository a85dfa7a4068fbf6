"""The task queue: work that must happen whether or not anyone is waiting for it.

Workers (`celery -A csa worker`) run the jobs each app's `tasks.py` defines; one beat
(`celery -A csa beat`, or `worker --beat` where one worker serves) starts the periodic ones on the
schedule in settings. Every job is idempotent: a job may run twice (its worker died after doing the
work, before saying so) and must then change nothing more.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csa.settings")

app = Celery("csa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
