"""Reads scoped to a person."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerportal.core.permissions import has_role

from .models import Reminder, ReminderStatus


def reminder_list_for(user):
    """The person's own reminders still to go out, soonest first."""
    return Reminder.objects.filter(recipient=user).upcoming().order_by("due_at", "id")


def reminder_failed_list_for(user):
    """Failed reminders, for coordinators only (others get none)."""
    if not has_role(user, "coordinator"):
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(status=ReminderStatus.FAILED)
        .select_related("recipient")
        .order_by("-due_at", "-id")
    )


def reminder_failed_get_for(user, pk: int) -> Reminder:
    return get_object_or_404(reminder_failed_list_for(user), pk=pk)
