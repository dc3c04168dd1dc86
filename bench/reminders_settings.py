"""Settings for `make bench-reminders`: the real settings plus a bench reminder kind.

The kind is the test-only ``test_notice`` from ``tests/reminders/kinds.py`` (a notice about a
location, templates in memory), so the benchmark needs no product data. Email goes by SMTP
to the local sink (``BENCH_SMTP_PORT``); tasks use a private queue (``BENCH_QUEUE``).
"""

import os

from peerportal.settings import *  # noqa: F403
from peerportal.settings import INSTALLED_APPS, TEMPLATES
from tests.reminders.kinds import templates_setting

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reminders.apps.TestKindsConfig"]
TEMPLATES = templates_setting(TEMPLATES)
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8025"))
EMAIL_USE_TLS = False
EMAIL_TIMEOUT = 10
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "bench-reminders")
CELERY_TASK_ALWAYS_EAGER = False
SECURE_SSL_REDIRECT = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
