from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import Organization

from .models import ShiftAssignment


def shift_upcoming_context(reminder) -> dict | None:
    a = (
        ShiftAssignment.objects.select_related("shift__line")
        .filter(pk=reminder.target_id, person_id=reminder.recipient_id, is_active=True)
        .first()
    )
    if a is None or a.shift.starts_at <= timezone.now():
        return None
    tz = Organization.get().tzinfo
    return {
        "line": a.shift.line,
        "starts_local": timezone.localtime(a.shift.starts_at, tz),
        "ends_local": timezone.localtime(a.shift.ends_at, tz),
        "time_zone": str(tz),
        "path": reverse("warmline:my-shifts"),
    }
