"""Claiming due reminders and handing each to a send task.

The beat scan (``reminders.dispatch_due``, every minute) and the best-effort nudge after a
commit both end here:

1. Rows whose send lease ran out (their sender died; see ``sending``) go back to pending,
   and so do claims no sender took within ``REMINDER_CLAIM_TIMEOUT`` (their task message
   was lost). Nothing is lost, and a row a live sender holds is never handed out again.
   Handing out an untaken claim twice is harmless: only one task can take its lease.
2. Due rows are claimed (pending -> sending, with ``claimed_at``) — at most
   ``REMINDER_DISPATCH_BATCH`` waiting in the queue at any time, so a backlog waits as
   pending rows in the database, not as claims in the broker. On PostgreSQL the rows are
   locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` so concurrent dispatchers take
   disjoint rows; elsewhere each row is claimed by a conditional ``UPDATE ... WHERE status
   = 'pending'`` and only a rowcount of 1 wins.
3. The claimed ids are published in chunks of ``REMINDER_SEND_CHUNK`` as
   ``reminders.send_batch`` tasks (ids only) after the claim has committed. Rows whose
   task cannot be published go straight back to pending. Each send task, when done,
   refills the queue (``dispatch_due``) while rows are due, so a backlog drains at the
   workers' pace; the beat scan restarts it after an outage.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Reminder, ReminderStatus

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_TIMEOUT = dt.timedelta(minutes=10)
DEFAULT_BATCH = 500
DEFAULT_SEND_CHUNK = 50


def _as_timedelta(value, default: dt.timedelta) -> dt.timedelta:
    if value is None:
        return default
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(seconds=float(value))


def claim_timeout() -> dt.timedelta:
    """``REMINDER_CLAIM_TIMEOUT``: a timedelta or seconds (default 10 minutes)."""
    return _as_timedelta(getattr(settings, "REMINDER_CLAIM_TIMEOUT", None), DEFAULT_CLAIM_TIMEOUT)


def batch_size() -> int:
    return int(getattr(settings, "REMINDER_DISPATCH_BATCH", DEFAULT_BATCH))


def send_chunk() -> int:
    return max(1, int(getattr(settings, "REMINDER_SEND_CHUNK", DEFAULT_SEND_CHUNK)))


_RELEASED = {
    "status": ReminderStatus.PENDING,
    "claimed_at": None,
    "send_started_at": None,
    "lease_token": None,
    "lease_expires_at": None,
}


def reclaim_stale(*, now: dt.datetime | None = None) -> int:
    """Rows whose sender died (lease ran out) or whose task never came become pending."""
    now = now or timezone.now()
    sending = Reminder.objects.filter(status=ReminderStatus.SENDING)
    died = sending.filter(lease_expires_at__lt=now).update(**_RELEASED)
    never_taken = sending.filter(
        lease_token__isnull=True, claimed_at__lt=now - claim_timeout()
    ).update(**_RELEASED)
    return died + never_taken


def queued_claims() -> int:
    """Rows claimed and published but not yet taken by a sender."""
    return Reminder.objects.filter(status=ReminderStatus.SENDING, lease_token__isnull=True).count()


def claim_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to ``limit`` due rows for this dispatcher; returns their ids."""
    now = now or timezone.now()
    limit = batch_size() if limit is None else limit
    if limit <= 0:
        return []
    due = Reminder.objects.due(now).order_by("due_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if ids:
                Reminder.objects.filter(pk__in=ids, status=ReminderStatus.PENDING).update(
                    status=ReminderStatus.SENDING, claimed_at=now, send_started_at=None
                )
        return ids
    claimed = []
    for pk in due.values_list("pk", flat=True)[:limit]:
        won = Reminder.objects.filter(pk=pk, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.SENDING, claimed_at=now, send_started_at=None
        )
        if won == 1:
            claimed.append(pk)
    return claimed


def _release(ids: list[int], claimed_at: dt.datetime) -> None:
    """Unpublished claims go back to pending at once rather than waiting for the timeout."""
    Reminder.objects.filter(
        pk__in=ids, status=ReminderStatus.SENDING, claimed_at=claimed_at, lease_token=None
    ).update(**_RELEASED)


def dispatch_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Reclaim rows of dead senders, claim due rows up to the queue's room, publish them.

    Returns how many rows were claimed. Call outside a transaction (the beat task does):
    the claim must be committed before a worker loads the row.
    """
    from .tasks import send_reminders

    now = now or timezone.now()
    reclaimed = reclaim_stale(now=now)
    if reclaimed:
        logger.warning("reminders: %d stale claims returned to pending", reclaimed)
    room = batch_size() - queued_claims()
    ids = claim_due(now=now, limit=min(limit or batch_size(), room))
    chunk = send_chunk()
    for start in range(0, len(ids), chunk):
        try:
            send_reminders.apply_async((ids[start : start + chunk],))
        except Exception as exc:  # noqa: BLE001 — the broker is down: give the rows back
            logger.warning(
                "reminders: could not publish a send batch (%s); %d claims released",
                type(exc).__name__,
                len(ids) - start,
            )
            _release(ids[start:], now)
            return start
    return len(ids)
