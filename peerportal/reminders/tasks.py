"""Thin Celery wrappers: they take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due_reminders() -> int:
    from .dispatch import batch_size, dispatch_due

    claimed = dispatch_due()
    if claimed >= batch_size():
        # More are due than one batch: carry on at once rather than at the next scan.
        dispatch_due_reminders.apply_async()
    return claimed


@shared_task(name="reminders.send", ignore_result=True, acks_late=True)
def send_reminder(reminder_id: int) -> str:
    from .sending import reminder_send

    return reminder_send(reminder_id=reminder_id)
