"""Sending one claimed reminder: preferences, rendering, SMTP, and marking it sent once.

Exactly-once, and where it stops:

* Only the task that wins a compare-and-swap on ``send_started_at`` (null -> now, while the
  row is still ``sending`` under the same claim) hands the message to SMTP, so a duplicated
  task message or a second dispatcher cannot send twice.
* Right after SMTP accepts the message the row is marked ``sent`` with one conditional
  UPDATE. If the worker dies in the few milliseconds between the two (tasks are
  ``acks_late``), the claim goes stale and the row is sent again: delivery is
  *at least once* in that window, exactly once otherwise. We accept a rare duplicate
  rather than a lost reminder. Every message carries a stable ``Message-ID`` derived from
  the row, so a duplicate is recognisable.
* A failure records only an error code (exception class, SMTP status), never addresses or
  content, backs off and retries; after ``REMINDER_MAX_ATTEMPTS`` the row is ``failed``
  and listed for coordinators to retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerportal.core.emails import sender_address

from .models import Reminder, ReminderStatus
from .preferences import in_quiet_hours, preference_for, quiet_hours_end_after, time_zone_for
from .registry import get_kind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "peerportal.reminders.unsubscribe"
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_SMTP_TIMEOUT = 30


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def unsubscribe_token(*, user, kind_code: str = "") -> str:
    """A signed token naming the person (by id) and the kind the message was about."""
    return signing.dumps({"u": user.pk, "k": kind_code}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data


def preferences_url(*, user, kind_code: str = "") -> str:
    token = unsubscribe_token(user=user, kind_code=kind_code)
    return site_url() + reverse("reminders:preference-unsubscribe", args=[token])


def message_id(reminder: Reminder) -> str:
    host = urlsplit(site_url()).hostname or "localhost"
    return f"<reminder.{reminder.pk}.{int(reminder.created_at.timestamp())}@{host}>"


def max_attempts() -> int:
    return int(getattr(settings, "REMINDER_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… minutes, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def error_code(exc: BaseException) -> str:
    """What went wrong, without any personal data (no addresses, no server text)."""
    name = type(exc).__name__
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({c for c, _msg in exc.recipients.values()})
        return f"{name}:{','.join(str(c) for c in codes)}"[:200]
    if isinstance(code, int):
        return f"{name}:{code}"
    return name[:200]


def render_email(reminder: Reminder, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language and time zone."""
    recipient = reminder.recipient
    from peerportal.core.models import Organization

    ctx = {
        "preferences_url": preferences_url(user=recipient, kind_code=reminder.kind),
        **context,
        "recipient": recipient,
        "organization": Organization.get(),
        "site_url": site_url(),
        "reminder": reminder,
    }
    ctx.pop("attachments", None)
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(time_zone_for(recipient)):
        ctx["LANGUAGE_CODE"] = language
        subject = render_to_string(f"emails/{reminder.kind}_subject.txt", ctx)
        text = render_to_string(f"emails/{reminder.kind}_body.txt", ctx)
        html = render_to_string(f"emails/{reminder.kind}_body.html", ctx)
    subject = " ".join(subject.split())
    return subject, text, html


def build_message(reminder: Reminder, context: dict) -> EmailMultiAlternatives:
    # One signed link for the header and the body (a token signed twice can differ).
    unsubscribe = preferences_url(user=reminder.recipient, kind_code=reminder.kind)
    subject, text, html = render_email(reminder, {**context, "preferences_url": unsubscribe})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender_address(),
        to=[reminder.recipient.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(reminder),
        },
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments") or ():
        message.attach(filename, content, mimetype)
    return message


def _finish(reminder: Reminder, *, lease: dt.datetime | None = None, **changes) -> bool:
    """Conditional update from the state this task saw; False if someone else moved it."""
    return (
        Reminder.objects.filter(
            pk=reminder.pk,
            status=ReminderStatus.SENDING,
            claimed_at=reminder.claimed_at,
            send_started_at=lease,
        ).update(**changes)
        == 1
    )


def _record_failure(reminder: Reminder, lease: dt.datetime | None, exc: BaseException) -> str:
    attempts = reminder.attempts + 1
    code = error_code(exc)
    if attempts >= max_attempts():
        _finish(
            reminder, lease=lease, status=ReminderStatus.FAILED, attempts=attempts, last_error=code
        )
        outcome = "failed"
    else:
        _finish(
            reminder,
            lease=lease,
            status=ReminderStatus.PENDING,
            attempts=attempts,
            last_error=code,
            claimed_at=None,
            send_started_at=None,
            not_before=timezone.now() + backoff(attempts),
        )
        outcome = "retry"
    logger.warning("reminders: sending #%s failed (%s), %s", reminder.pk, code, outcome)
    logger.debug("reminders: failure of #%s", reminder.pk, exc_info=exc)
    return outcome


def reminder_send(*, reminder_id: int) -> str:
    """Send one claimed reminder. Returns what happened (for logs and tests)."""
    reminder = Reminder.objects.select_related("recipient").filter(pk=reminder_id).first()
    if (
        reminder is None
        or reminder.status != ReminderStatus.SENDING
        or reminder.send_started_at is not None
    ):
        return "skipped"
    recipient = reminder.recipient
    try:
        kind = get_kind(reminder.kind)
    except LookupError as exc:
        return _record_failure(reminder, None, exc)
    if not recipient.is_active or recipient.erased_at or not recipient.email:
        _finish(reminder, status=ReminderStatus.CANCELLED, last_error="recipient_inactive")
        return "cancelled"

    pref = preference_for(recipient)
    if kind.optional and not pref.kind_enabled(kind.code):
        _finish(reminder, status=ReminderStatus.CANCELLED, last_error="kind_disabled")
        return "cancelled"
    now = timezone.now()
    if not kind.urgent and pref.has_quiet_hours:
        tz = time_zone_for(recipient)
        if in_quiet_hours(pref, timezone.localtime(now, tz)):
            _finish(
                reminder,
                status=ReminderStatus.PENDING,
                claimed_at=None,
                not_before=quiet_hours_end_after(pref, now, tz),
            )
            return "deferred"

    try:
        context = kind.context(reminder) if kind.context else {}
        if context is None:
            _finish(reminder, status=ReminderStatus.CANCELLED, last_error="obsolete")
            return "cancelled"
        message = build_message(reminder, context)
    except Exception as exc:  # noqa: BLE001 — a broken template must not stop other sends
        return _record_failure(reminder, None, exc)

    # The lease: only one task gets past here for this claim.
    lease = timezone.now()
    if not _finish(reminder, send_started_at=lease):
        return "skipped"
    try:
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT
        with get_connection(timeout=timeout) as conn:
            conn.send_messages([message])
    except Exception as exc:  # noqa: BLE001 — SMTP and network errors alike are retried
        return _record_failure(reminder, lease, exc)
    # Mark sent at once: this UPDATE is the whole at-least-once window.
    if not _finish(reminder, lease=lease, status=ReminderStatus.SENT, sent_at=timezone.now()):
        logger.warning("reminders: #%s was reclaimed while being sent", reminder.pk)
    return "sent"
