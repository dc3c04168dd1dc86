"""Settings for the real Celery worker started by the import integration test.

The real settings, with the private file storage of the test process (``PRIVATE_MEDIA_ROOT``
from the environment, so the worker reads the uploaded file the test stored) and a private
queue (``IMPORT_TEST_QUEUE``) so parallel runs on the same Redis do not collide.
"""

import os

from peerportal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("IMPORT_TEST_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = False
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
