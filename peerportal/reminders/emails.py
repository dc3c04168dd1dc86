"""The reminder email as MIME: byte for byte what Django builds, with less work per message.

Two parts of the standard library's message generation dominate a reminder's CPU time and
can be skipped without changing a byte:

* Header folding. The default (compat32) policy runs every header through
  ``email.header.Header``, a character-by-character splitter, even when the header is short
  plain ASCII and comes out unchanged — which is almost every header of a reminder.
  ``QuickFoldPolicy`` writes such a header as it is and hands every other one (non-ASCII,
  long, already folded, tabs or runs of spaces) to compat32.
* Multipart boundaries. The generator draws a random boundary and compiles a new regular
  expression for each one to check it is absent from the parts: a regex compile per
  multipart per message. ``ReminderEmail`` draws the same kind of boundary and checks it
  with a substring test (stricter: the boundary anywhere in a part, not only as a line).

``tests/reminders/test_emails.py`` compares the bytes with Django's for ASCII, Spanish,
long and attachment-carrying messages.
"""

from __future__ import annotations

import re
import secrets
import sys
from email._policybase import Compat32

from django.core.mail import EmailMultiAlternatives

# Printable ASCII words separated by single spaces: compat32 neither folds nor encodes such
# a value while the line fits in ``max_line_length``.
_PLAIN_VALUE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*\Z")


class QuickFoldPolicy(Compat32):
    """compat32, except that a short plain-ASCII header is written without ``Header``."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and self.max_line_length
            and len(name) + 2 + len(value) <= self.max_line_length
            and _PLAIN_VALUE.match(value)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_FOLD = QuickFoldPolicy()

_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


def _boundary() -> str:
    # The standard library's form: 15 "=", 19 random digits, "==".
    return "=" * 15 + str(secrets.randbelow(sys.maxsize)).zfill(_BOUNDARY_DIGITS) + "=="


def _set_boundaries(msg) -> None:
    """Give each multipart a random boundary that occurs in none of its leaf parts."""
    multiparts, leaves = [], []
    for part in msg.walk():
        (multiparts if part.is_multipart() else leaves).append(part)
    if not multiparts:
        return
    texts = [str(p.get_payload()) for p in leaves]
    texts += [str(value) for part in (*multiparts, *leaves) for value in part.values()]
    for part in multiparts:
        if part.get_boundary():
            continue
        while True:
            boundary = _boundary()
            if not any(boundary in text for text in texts):
                break
        part.set_boundary(boundary)


class ReminderEmail(EmailMultiAlternatives):
    """``EmailMultiAlternatives`` whose MIME message folds headers with ``QUICK_FOLD``."""

    def message(self):
        msg = super().message()
        _set_boundaries(msg)
        msg.policy = QUICK_FOLD  # the generator hands the root's policy to every part
        return msg
