"""File-based email, one file per message, optionally slow (integration test only)."""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        delay = float(os.environ.get("REMINDER_TEST_SEND_DELAY", "0"))
        folder = Path(settings.EMAIL_FILE_PATH)
        for message in email_messages:
            if delay:
                time.sleep(delay)
            path = folder / f"{uuid.uuid4().hex}.eml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(path)  # whole files only, even if the worker is killed
        return len(email_messages)
