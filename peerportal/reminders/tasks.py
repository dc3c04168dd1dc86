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


@shared_task(name="reminders.send_batch", ignore_result=True, acks_late=True)
def send_reminders(reminder_ids: list[int]) -> dict:
    """Send a batch of claimed reminders, then refill the queue while rows are due."""
    from .dispatch import dispatch_due
    from .sending import reminders_send_batch

    outcomes = reminders_send_batch(reminder_ids=reminder_ids)
    if not send_reminders.app.conf.task_always_eager:
        # Keeps a backlog draining at the worker's pace (eagerly this would recurse; the
        # dispatch task's own chaining covers that case).
        dispatch_due()
    return outcomes


@shared_task(name="reminders.send", ignore_result=True, acks_late=True)
def send_reminder(reminder_id: int) -> str:
    """One reminder (messages published before batches existed)."""
    from .sending import reminder_send

    return reminder_send(reminder_id=reminder_id)
