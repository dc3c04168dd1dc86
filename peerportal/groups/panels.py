"""Dashboard panel contexts.

Every dashboard visit reads both panels: their reads' statements are built by the ORM once
per process (``PreparedRows``), the same reads as ``selectors.booking_panel_for`` and
``selectors.sessions_facilitated_panel`` (tests compare them), as rows of the shown fields.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerportal.core.links import pk_link
from peerportal.core.permissions import require_role
from peerportal.core.prepared import PreparedRows

from .models import Booking, BookingStatus, GroupSession

_NEXT_BOOKINGS = PreparedRows(
    lambda member_id, now: (
        Booking.objects.filter(member_id=member_id, session__ends_at__gt=now)
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("session__starts_at")
        .values_list("status", "session__starts_at", "session__group__name")[:5]
    ),
    member_id=int,
    now=dt.datetime,
)

_FACILITATING = PreparedRows(
    lambda facilitator_id, now, until: (
        GroupSession.objects.upcoming(now)
        .filter(starts_at__lt=until, group__facilitators=facilitator_id)
        .order_by("starts_at")
        .values_list("pk", "starts_at", "group__name")[:5]
    ),
    facilitator_id=int,
    now=dt.datetime,
    until=dt.datetime,
)


def my_bookings(request) -> dict:
    rows = _NEXT_BOOKINGS.rows(member_id=request.user.pk, now=timezone.now())
    return {
        "bookings": [
            {"status": status, "starts_at": starts_at, "group": group}
            for status, starts_at, group in rows
        ]
    }


def facilitating(request) -> dict:
    """This week's first sessions of the groups the person facilitates."""
    require_role(request.user, "staff")
    now = timezone.now()
    rows = _FACILITATING.rows(
        facilitator_id=request.user.pk, now=now, until=now + dt.timedelta(days=7)
    )
    roster = pk_link("groups:session-roster")
    return {
        "sessions": [
            {"url": roster(pk), "starts_at": starts_at, "group": group}
            for pk, starts_at, group in rows
        ]
    }
