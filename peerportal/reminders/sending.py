"""Sending claimed reminders: a batch per task, one SMTP connection, each row sent once.

Exactly-once, and where it stops:

* A send task first takes a *lease* on its rows with one conditional UPDATE
  (``lease_token IS NULL`` -> its own token, ``lease_expires_at`` = now + lease). Only one
  sender can hold a row, so a duplicated task message, a second dispatcher or a row handed
  out twice still produces one message.
* The batch goes over one SMTP connection. Right after the server accepts a message its
  row is marked ``sent`` with one conditional UPDATE; a crash re-sends nothing already
  marked. If the worker dies in the instant between the two, the row is sent again once
  its lease has run out: *at least once* in that window, exactly once otherwise. Every
  message carries a stable ``Message-ID`` derived from the row, so a duplicate is
  recognisable.
* The worker renews the lease while it works through the batch; the dispatcher hands a
  leased row out again only when the lease has run out (its sender died), never because
  the row waited long in the queue.
* A failure records only an error code (exception class, SMTP status), never addresses or
  content, backs off and retries; after ``REMINDER_MAX_ATTEMPTS`` the row is ``failed``
  and listed for coordinators to retry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import connection
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from peerportal.core.emails import sender_address
from peerportal.core.models import organization_per_request

from .emails import ReminderEmail
from .models import NotificationPreference, Reminder, ReminderStatus
from .preferences import in_quiet_hours, quiet_hours_end_after, time_zone_for
from .registry import get_kind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "peerportal.reminders.unsubscribe"
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_SMTP_TIMEOUT = 30
DEFAULT_SEND_LEASE = dt.timedelta(minutes=5)


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


def message_id(reminder: Reminder, *, host: str | None = None) -> str:
    """Stable per row, so a receiver can recognise a message sent twice (see the module)."""
    host = host or urlsplit(site_url()).hostname or "localhost"
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


class EmailSetup:
    """What every message of a send batch shares, worked out once per batch: the site's
    address, the sender, the organization, the compiled templates, and each person's
    signed unsubscribe link per kind."""

    def __init__(self):
        from peerportal.core.models import Organization

        self.site_url = site_url()
        self.host = urlsplit(self.site_url).hostname or "localhost"
        self.sender = sender_address()
        self.organization = Organization.get()
        self._templates: dict = {}
        self._links: dict = {}

    def template(self, name: str):
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = get_template(name)
        return found

    def preferences_url(self, user, kind_code: str) -> str:
        key = (user.pk, kind_code)
        link = self._links.get(key)
        if link is None:
            link = self._links[key] = preferences_url(user=user, kind_code=kind_code)
        return link


def render_email(
    reminder: Reminder,
    context: dict,
    *,
    unsubscribe: str | None = None,
    setup: EmailSetup | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language and time zone."""
    setup = setup or EmailSetup()
    recipient = reminder.recipient
    ctx = {
        **context,
        "recipient": recipient,
        "organization": setup.organization,
        "preferences_url": unsubscribe or setup.preferences_url(recipient, reminder.kind),
        "site_url": setup.site_url,
        "reminder": reminder,
    }
    ctx.pop("attachments", None)
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(time_zone_for(recipient)):
        ctx["LANGUAGE_CODE"] = language
        subject = setup.template(f"emails/{reminder.kind}_subject.txt").render(ctx)
        text = setup.template(f"emails/{reminder.kind}_body.txt").render(ctx)
        html = setup.template(f"emails/{reminder.kind}_body.html").render(ctx)
    subject = " ".join(subject.split())
    return subject, text, html


def build_message(
    reminder: Reminder, context: dict, *, setup: EmailSetup | None = None
) -> ReminderEmail:
    setup = setup or EmailSetup()
    # One signed link for the header and the body (a token signed twice can differ).
    unsubscribe = setup.preferences_url(reminder.recipient, reminder.kind)
    subject, text, html = render_email(reminder, context, unsubscribe=unsubscribe, setup=setup)
    message = ReminderEmail(
        subject=subject,
        body=text,
        from_email=setup.sender,
        to=[reminder.recipient.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(reminder, host=setup.host),
        },
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments") or ():
        message.attach(filename, content, mimetype)
    return message


def send_lease() -> dt.timedelta:
    """``REMINDER_SEND_LEASE``: how long a sender's hold on its rows lasts unless renewed.

    The worker renews it while it works through a batch; a lease that runs out is the
    evidence that its sender died, and only then are its unsent rows handed out again.
    """
    value = getattr(settings, "REMINDER_SEND_LEASE", None)
    if value is None:
        return DEFAULT_SEND_LEASE
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(seconds=float(value))


def smtp_timeout() -> float:
    """Per socket operation; a tenth of the lease, so one stuck SMTP step cannot outlive it."""
    configured = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT
    return max(0.1, min(float(configured), send_lease().total_seconds() / 10))


def _finish(reminder: Reminder, *, token: uuid.UUID | None, **changes) -> bool:
    """Conditional update from the state this sender holds; False if someone else moved it."""
    if changes.get("status") not in (None, ReminderStatus.SENDING):
        changes.setdefault("lease_token", None)
        changes.setdefault("lease_expires_at", None)
    return (
        Reminder.objects.filter(
            pk=reminder.pk, status=ReminderStatus.SENDING, lease_token=token
        ).update(**changes)
        == 1
    )


def _record_failure(reminder: Reminder, token: uuid.UUID | None, exc: BaseException) -> str:
    attempts = reminder.attempts + 1
    code = error_code(exc)
    if attempts >= max_attempts():
        _finish(
            reminder, token=token, status=ReminderStatus.FAILED, attempts=attempts, last_error=code
        )
        outcome = "failed"
    else:
        _finish(
            reminder,
            token=token,
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


def _take_lease(reminder_ids) -> tuple[uuid.UUID, dt.datetime]:
    """One UPDATE: every listed row still claimed and not yet taken becomes this sender's.

    Only one sender can win a row (the condition ``lease_token IS NULL`` is re-checked
    under the row lock), so a duplicated task message or a row handed out twice is sent
    once.
    """
    token = uuid.uuid4()
    now = timezone.now()
    Reminder.objects.filter(
        pk__in=list(reminder_ids), status=ReminderStatus.SENDING, lease_token__isnull=True
    ).update(lease_token=token, send_started_at=now, lease_expires_at=now + send_lease())
    return token, now


_NOT_LOADED = object()


def _contexts_for(rows: list[Reminder]) -> dict[int, dict | None]:
    """Contexts of the kinds that load a batch at once (``context_many``), by reminder id."""
    by_kind: dict[str, list[Reminder]] = {}
    for reminder in rows:
        by_kind.setdefault(reminder.kind, []).append(reminder)
    out: dict[int, dict | None] = {}
    for code, reminders in by_kind.items():
        try:
            kind = get_kind(code)
        except LookupError:
            continue
        if kind.context_many is None:
            continue
        try:
            loaded = kind.context_many(reminders)
        except Exception:  # noqa: BLE001 — fall back to one at a time (errors recorded there)
            logger.warning("reminders: loading a batch of %s failed; one at a time", code)
            continue
        for reminder in reminders:
            out[reminder.pk] = loaded.get(reminder.pk)
    return out


def _prepare(
    reminder: Reminder, kind, pref, token, now, preloaded=_NOT_LOADED, setup=None
) -> tuple[str, object]:
    """("send", message) or (outcome, None) when the row was settled without sending."""
    recipient = reminder.recipient
    if not recipient.is_active or recipient.erased_at or not recipient.email:
        _finish(
            reminder, token=token, status=ReminderStatus.CANCELLED, last_error="recipient_inactive"
        )
        return "cancelled", None
    if kind.optional and not pref.kind_enabled(kind.code):
        _finish(reminder, token=token, status=ReminderStatus.CANCELLED, last_error="kind_disabled")
        return "cancelled", None
    if not kind.urgent and pref.has_quiet_hours:
        tz = time_zone_for(recipient)
        if in_quiet_hours(pref, timezone.localtime(now, tz)):
            _finish(
                reminder,
                token=token,
                status=ReminderStatus.PENDING,
                claimed_at=None,
                send_started_at=None,
                not_before=quiet_hours_end_after(pref, now, tz),
            )
            return "deferred", None
    try:
        if preloaded is not _NOT_LOADED:
            context = preloaded
        else:
            context = kind.context(reminder) if kind.context else {}
        if context is None:
            _finish(reminder, token=token, status=ReminderStatus.CANCELLED, last_error="obsolete")
            return "cancelled", None
        return "send", build_message(reminder, context, setup=setup)
    except Exception as exc:  # noqa: BLE001 — a broken template must not stop other sends
        return _record_failure(reminder, token, exc), None


def reminders_send_batch(*, reminder_ids) -> dict[int, str]:
    """Send a batch of claimed reminders over one SMTP connection.

    Returns {id: outcome} ("sent", "skipped", "cancelled", "deferred", "retry", "failed").

    1. One UPDATE takes a lease on every row still claimed and not taken (a row another
       sender holds, or that is no longer ``sending``, is skipped).
    2. Two queries load the rows with their recipients and the recipients' preferences;
       kinds with ``context_many`` load their causes in one query per kind.
    3. One SMTP connection sends the messages one after another; each row is marked
       ``sent`` right after the server accepts its message (so a crash re-sends nothing
       already marked), and the lease is renewed as the batch goes on.
    """
    ids = list(dict.fromkeys(int(pk) for pk in reminder_ids))
    outcomes = dict.fromkeys(ids, "skipped")
    if not ids:
        return outcomes
    with organization_per_request():  # one read of the organization for the whole batch
        _send_batch(ids, outcomes)
    return outcomes


def _send_batch(ids: list[int], outcomes: dict[int, str]) -> None:
    token, now = _take_lease(ids)
    rows = list(
        Reminder.objects.select_related("recipient")
        .filter(pk__in=ids, status=ReminderStatus.SENDING, lease_token=token)
        .order_by("due_at", "id")
    )
    if not rows:
        return
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__in={r.recipient_id for r in rows})
    }

    contexts = _contexts_for(rows)
    setup = EmailSetup()
    ready: list[tuple[Reminder, ReminderEmail]] = []
    for reminder in rows:
        try:
            kind = get_kind(reminder.kind)
        except LookupError as exc:
            outcomes[reminder.pk] = _record_failure(reminder, token, exc)
            continue
        pref = prefs.get(reminder.recipient_id) or NotificationPreference(
            user_id=reminder.recipient_id
        )
        outcome, message = _prepare(
            reminder, kind, pref, token, now, contexts.get(reminder.pk, _NOT_LOADED), setup
        )
        outcomes[reminder.pk] = outcome
        if message is not None:
            ready.append((reminder, message))
    if ready:
        _send_over_one_connection(ready, token, outcomes)


_MARK_SENT_SQL = (
    "UPDATE {table} SET {status} = %s, {sent_at} = %s, {lease_token} = NULL, "
    "{lease_expires_at} = NULL WHERE {id} = %s AND {status} = %s AND {lease_token} = %s"
)


class _MarkSent:
    """The "sent" UPDATE of one batch, its SQL and lease token prepared once.

    It runs the moment the backend returns from the server's acceptance: no query to build,
    one statement in autocommit. The statement is the same conditional update as
    ``_finish`` (only from ``sending`` under this sender's lease), written out so that the
    at-least-once window holds no ORM work.
    """

    def __init__(self, token: uuid.UUID):
        meta = Reminder._meta
        qn = connection.ops.quote_name
        col = {
            f: qn(meta.get_field(f).column)
            for f in ("id", "status", "sent_at", "lease_token", "lease_expires_at")
        }
        self.sql = _MARK_SENT_SQL.format(table=qn(meta.db_table), **col)
        self.token = meta.get_field("lease_token").get_db_prep_value(token, connection)
        self.sent_at = meta.get_field("sent_at")

    def __call__(self, cursor, reminder: Reminder) -> bool:
        sent_at = self.sent_at.get_db_prep_value(timezone.now(), connection)
        cursor.execute(
            self.sql,
            [
                ReminderStatus.SENT.value,
                sent_at,
                reminder.pk,
                ReminderStatus.SENDING.value,
                self.token,
            ],
        )
        return cursor.rowcount == 1


def _send_over_one_connection(ready, token, outcomes) -> None:
    lease = send_lease()
    renew_every = lease / 4
    last_renewal = timezone.now()
    mark_sent = _MarkSent(token)
    conn = get_connection(timeout=smtp_timeout())
    try:
        for index, (reminder, message) in enumerate(ready):
            now = timezone.now()
            if now - last_renewal >= renew_every:
                Reminder.objects.filter(
                    pk__in=[r.pk for r, _m in ready[index:]],
                    status=ReminderStatus.SENDING,
                    lease_token=token,
                ).update(lease_expires_at=now + lease)
                last_renewal = now
            try:
                conn.open()  # no-op while the connection is open
                conn.send_messages([message])
            except Exception as exc:  # noqa: BLE001 — SMTP and network errors alike are retried
                outcomes[reminder.pk] = _record_failure(reminder, token, exc)
                with contextlib.suppress(Exception):
                    conn.close()  # its state is unknown: open a fresh one for the next
                continue
            # Mark sent at once: from the server's acceptance until this UPDATE is on its
            # way to the database is the whole at-least-once window.
            with connection.cursor() as cursor:
                marked = mark_sent(cursor, reminder)
            outcomes[reminder.pk] = "sent"
            if not marked:
                logger.warning("reminders: #%s lost its lease while being sent", reminder.pk)
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def reminder_send(*, reminder_id: int) -> str:
    """Send one claimed reminder. Returns what happened (for logs and tests)."""
    return reminders_send_batch(reminder_ids=[reminder_id]).get(reminder_id, "skipped")
