"""Settings for the real Celery worker started by the integration test (and the bench).

The real settings, plus: the test reminder kinds, file-based email into
``REMINDER_TEST_EMAIL_DIR`` (one file per message; slow when ``REMINDER_TEST_SEND_DELAY``
is set, so the test can kill the worker mid-batch) or SMTP to a local sink on
``REMINDER_TEST_SMTP_PORT``, a short send lease and claim timeout (seconds) and a private
queue name (``REMINDER_TEST_QUEUE``) so parallel runs on the same Redis do not collide.
"""

import os

from peerportal.settings import *  # noqa: F403
from peerportal.settings import INSTALLED_APPS, TEMPLATES
from tests.clock import start_from_env
from tests.reminders.kinds import templates_setting

start_from_env()  # under `pytest --clock`, the worker lives at the suite's instant too

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reminders.apps.TestKindsConfig"]
TEMPLATES = templates_setting(TEMPLATES)
if os.environ.get("REMINDER_TEST_SMTP_PORT"):
    # The local SMTP sink started by the test (aiosmtpd on 127.0.0.1).
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["REMINDER_TEST_SMTP_PORT"])
    EMAIL_USE_TLS = False
else:
    EMAIL_BACKEND = "tests.reminders.mail_backend.SlowFileBackend"
    EMAIL_FILE_PATH = os.environ["REMINDER_TEST_EMAIL_DIR"]
REMINDER_CLAIM_TIMEOUT = float(os.environ.get("REMINDER_CLAIM_TIMEOUT", "600"))
REMINDER_SEND_LEASE = float(os.environ.get("REMINDER_SEND_LEASE", "300"))
REMINDER_SEND_CHUNK = int(os.environ.get("REMINDER_SEND_CHUNK", "50"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("REMINDER_TEST_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = False
SECURE_SSL_REDIRECT = False
