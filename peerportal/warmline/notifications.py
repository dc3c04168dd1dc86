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


def swap_update_context(reminder) -> dict | None:
    from .models import SwapRequest

    swap = (
        SwapRequest.objects.select_related("assignment__shift__line")
        .filter(pk=reminder.target_id)
        .first()
    )
    if swap is None:
        return None
    tz = Organization.get().tzinfo
    shift = swap.assignment.shift
    return {
        "swap": swap,
        "line": shift.line,
        "starts_local": timezone.localtime(shift.starts_at, tz),
        "status_label": swap.get_status_display(),
        "path": reverse("warmline:swap-list"),
    }


def coverage_gap_context(reminder) -> dict | None:
    from .models import Shift

    shift = (
        Shift.objects.select_related("line").with_coverage().filter(pk=reminder.target_id).first()
    )
    if shift is None or shift.staffed >= shift.min_staff or shift.starts_at <= timezone.now():
        return None
    tz = Organization.get().tzinfo
    return {
        "line": shift.line,
        "starts_local": timezone.localtime(shift.starts_at, tz),
        "staffed": shift.staffed,
        "needed": shift.min_staff,
        "path": reverse("warmline:board"),
    }
