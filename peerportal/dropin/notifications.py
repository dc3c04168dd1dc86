"""Email contexts for the drop-in reminder kinds. Only what the recipient needs: the event,
its place and time — never who else is going."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from peerportal.core.timezones import tz_for

from .models import RSVP, Event, RSVPStatus


def _event_context(event: Event, recipient) -> dict:
    tz = tz_for(recipient)
    return {
        "event": event,
        "location": event.location,
        "starts_local": timezone.localtime(event.starts_at, tz),
        "ends_local": timezone.localtime(event.ends_at, tz),
        "time_zone": str(tz),
        "event_path": reverse("dropin:event-detail", args=[event.pk]),
    }


def event_upcoming_context(reminder) -> dict | None:
    event = Event.objects.select_related("location").filter(pk=reminder.target_id).first()
    if event is None or event.is_cancelled or event.starts_at <= timezone.now():
        return None
    going = RSVP.objects.filter(
        event=event, member_id=reminder.recipient_id, status=RSVPStatus.ACTIVE
    ).exists()
    if not going:
        return None
    return _event_context(event, reminder.recipient)


def event_cancelled_context(reminder) -> dict | None:
    event = Event.objects.select_related("location").filter(pk=reminder.target_id).first()
    if event is None or not event.is_cancelled:
        return None
    return _event_context(event, reminder.recipient)
