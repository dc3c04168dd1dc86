"""Settings for the real Celery worker started by the integration test (and the bench).

The real settings, plus: the test reminder kinds, file-based email into
``REMINDER_TEST_EMAIL_DIR`` (one file per message), a slow email backend when
``REMINDER_TEST_SEND_DELAY`` is set (so the test can kill the worker mid-batch), a short
claim timeout (``REMINDER_CLAIM_TIMEOUT`` seconds) and a private queue name
(``REMINDER_TEST_QUEUE``) so parallel runs on the same Redis do not collide.
"""

import os

from peerportal.settings import *  # noqa: F403
from peerportal.settings import INSTALLED_APPS, TEMPLATES
from tests.clock import start_from_env
from tests.reminders.kinds import templates_setting

start_from_env()  # under `pytest --clock`, the worker lives at the suite's instant too

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reminders.apps.TestKindsConfig"]
TEMPLATES = templates_setting(TEMPLATES)
EMAIL_BACKEND = "tests.reminders.mail_backend.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_EMAIL_DIR"]
REMINDER_CLAIM_TIMEOUT = float(os.environ.get("REMINDER_CLAIM_TIMEOUT", "600"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("REMINDER_TEST_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = False
SECURE_SSL_REDIRECT = False
