"""Claiming due reminders and handing each to a send task.

The beat scan (``reminders.dispatch_due``, every minute) and the best-effort nudge after a
commit both end here:

1. Claims older than ``REMINDER_CLAIM_TIMEOUT`` (a worker killed mid-send) go back to
   pending, so nothing is lost.
2. Up to ``REMINDER_DISPATCH_BATCH`` due rows are claimed (pending -> sending, with
   ``claimed_at``). On PostgreSQL the rows are locked with ``SELECT ... FOR UPDATE SKIP
   LOCKED`` so concurrent dispatchers take disjoint rows; elsewhere each row is claimed by
   a conditional ``UPDATE ... WHERE status = 'pending'`` and only a rowcount of 1 wins.
3. Each claimed id is published as a ``reminders.send`` task (id only) after the claim
   has committed. A row whose task cannot be published goes straight back to pending.
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


def reclaim_stale(*, now: dt.datetime | None = None) -> int:
    """Claims older than the timeout (their worker died) become pending again."""
    now = now or timezone.now()
    return Reminder.objects.filter(
        status=ReminderStatus.SENDING, claimed_at__lt=now - claim_timeout()
    ).update(status=ReminderStatus.PENDING, claimed_at=None, send_started_at=None)


def claim_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to ``limit`` due rows for this dispatcher; returns their ids."""
    now = now or timezone.now()
    limit = limit or batch_size()
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
        pk__in=ids, status=ReminderStatus.SENDING, claimed_at=claimed_at, send_started_at=None
    ).update(status=ReminderStatus.PENDING, claimed_at=None)


def dispatch_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Reclaim stale claims, claim one batch of due rows and publish a send task for each.

    Returns how many rows were claimed. Call outside a transaction (the beat task does):
    the claim must be committed before a worker loads the row.
    """
    from .tasks import send_reminder

    now = now or timezone.now()
    reclaimed = reclaim_stale(now=now)
    if reclaimed:
        logger.warning("reminders: %d stale claims returned to pending", reclaimed)
    ids = claim_due(now=now, limit=limit)
    for index, pk in enumerate(ids):
        try:
            send_reminder.apply_async((pk,))
        except Exception as exc:  # noqa: BLE001 — the broker is down: give the rows back
            logger.warning(
                "reminders: could not publish send of #%s (%s); %d claims released",
                pk,
                type(exc).__name__,
                len(ids) - index,
            )
            _release(ids[index:], now)
            return index
    return len(ids)
