"""The Celery app. Configuration comes from Django settings (CELERY_* names); tasks live in <app>/tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")

# DjangoTask gives delay_on_commit(): enqueue only once the transaction that made the work has committed.
app = Celery("organizer_pm", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
