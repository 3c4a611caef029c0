"""The Celery app. Broker and result store come from settings (Redis when REDIS_URL is
set, otherwise the local-disk broker of the embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterportal.settings")

app = Celery("clusterportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # every installed app's tasks.py, clusterportal's included
