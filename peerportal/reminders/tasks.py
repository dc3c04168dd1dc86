"""Thin Celery wrappers: they take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due_reminders() -> int:
    from .dispatch import dispatch_due

    return dispatch_due()
