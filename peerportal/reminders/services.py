"""Scheduling reminders and notifications. Call inside the cause's transaction.

Every reminder is a row first; after the transaction commits, the dispatcher is nudged
best-effort. The beat scan (every minute) is the safety net, so a broker outage delays
messages but loses none.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import Reminder, ReminderStatus
from .registry import get_kind

logger = logging.getLogger(__name__)


def _offsets_for(*, recipient, kind_code: str) -> tuple[dt.timedelta, ...]:
    """The recipient's chosen offsets for a kind, else the kind's defaults."""
    from .preferences import offsets_for  # the preference model lives beside this

    return offsets_for(recipient=recipient, kind_code=kind_code)


def reminder_schedule(
    *, kind: str, target: models.Model, recipient, due_at: dt.datetime
) -> Reminder | None:
    """One row; idempotent for the same (kind, target, recipient, due time)."""
    get_kind(kind)  # unknown kinds fail loudly at the call site
    target_type = ContentType.objects.get_for_model(target)
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                kind=kind,
                target_type=target_type,
                target_id=target.pk,
                recipient=recipient,
                due_at=due_at,
            )
    except IntegrityError:
        reminder = Reminder.objects.get(
            kind=kind,
            target_type=target_type,
            target_id=target.pk,
            recipient=recipient,
            due_at=due_at,
        )
        created = False
    if not created and reminder.status == ReminderStatus.CANCELLED:
        reminder.status = ReminderStatus.PENDING
        reminder.save(update_fields=["status"])
    if due_at <= timezone.now():
        transaction.on_commit(_nudge_dispatch)
    return reminder


def reminders_schedule_before(
    *, kind: str, target: models.Model, recipient, starts_at: dt.datetime
) -> list[Reminder]:
    """Reminders at the recipient's offsets before ``starts_at``; past ones are skipped."""
    now = timezone.now()
    out = []
    for offset in _offsets_for(recipient=recipient, kind_code=kind):
        due = starts_at - offset
        if due > now:
            out.append(reminder_schedule(kind=kind, target=target, recipient=recipient, due_at=due))
    return out


def notify(*, kind: str, target: models.Model, recipient) -> Reminder | None:
    """An immediate notification through the outbox (sent within a minute at worst)."""
    return reminder_schedule(kind=kind, target=target, recipient=recipient, due_at=timezone.now())


def reminders_cancel_for(
    *, target: models.Model, recipient=None, kinds: list[str] | None = None
) -> int:
    """Cancel the pending reminders of a cause (a cancelled booking, a released shift)."""
    qs = Reminder.objects.for_target(target).filter(status=ReminderStatus.PENDING)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=ReminderStatus.CANCELLED)


def reminders_reschedule_for(
    *, kind: str, target: models.Model, recipient, starts_at: dt.datetime
) -> list[Reminder]:
    """The cause moved: cancel its pending reminders of ``kind`` and schedule new ones."""
    reminders_cancel_for(target=target, recipient=recipient, kinds=[kind])
    return reminders_schedule_before(
        kind=kind, target=target, recipient=recipient, starts_at=starts_at
    )


def _nudge_dispatch() -> None:
    """Best effort: ask a worker to dispatch now. The beat scan covers any failure."""
    from .tasks import dispatch_due_reminders

    try:
        dispatch_due_reminders.apply_async(retry=False)
    except Exception:  # noqa: BLE001 — a broker outage must not fail the request
        logger.warning("reminders: broker unavailable; due reminders wait for the next scan")
