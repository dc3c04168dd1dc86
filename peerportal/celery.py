"""The Celery app.

JSON only, tasks take ids (never names, emails or notes), the beat schedule lives in code:
each app may define ``BEAT_SCHEDULE`` in its ``schedule.py`` and it is merged here.
"""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerportal.settings")

app = Celery("peerportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SCHEDULED_APPS = ("core", "reminders", "groups", "certification", "warmline", "dropin", "imports")


def build_beat_schedule() -> dict:
    schedule: dict = {}
    for name in SCHEDULED_APPS:
        try:
            module = importlib.import_module(f"peerportal.{name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"peerportal.{name}.schedule":
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


app.conf.beat_schedule = build_beat_schedule()
