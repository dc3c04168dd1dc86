"""Helpers several views modules share: a session's booking box, an open offer, next dates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from peerportal.core.models import Organization

from .. import permissions, services
from ..models import HORIZON_WEEKS_MAX, BookingStatus


def _open_offer(booking, now):
    """The booking's open offer still within its time (lapsed ones are passed on lazily)."""
    offers = getattr(booking, "open_offers", None) if booking is not None else None
    return next((o for o in offers or () if o.is_open(now)), None)


def _box_context(request, session, booking, now=None) -> dict:
    now = now or timezone.now()
    if hasattr(session, "confirmed_count"):
        held = session.confirmed_count + session.offered_count
    else:
        held = session.bookings.confirmed().count() + session.offers.filter(status="open").count()
    seats_left = max(0, session.seats - held)
    return {
        "session": session,
        "booking": booking,
        "offer": _open_offer(booking, now),
        "seats_left": seats_left,
        "position": services.waitlist_position(booking) if booking else None,
        "not_open_yet": now < session.booking_opens_at(),
        "can_book": not session.is_cancelled
        and session.booking_opens_at() <= now < session.booking_closes_at(),
        "can_cancel": booking is not None
        and (booking.status == BookingStatus.WAITLISTED or now < session.cancellation_cutoff_at()),
        "show_link": booking is not None
        and permissions.can_see_link(request.user, session, booking, now),
    }


def _next_dates(group, count: int = 8) -> list[dict]:
    """The schedule's next dates in local time, for previews (no sessions are created)."""
    tz = Organization.get().tzinfo
    now = timezone.now()
    try:
        occurrences = group.planned_occurrences(
            tz=tz, window_start=now, window_end=now + dt.timedelta(weeks=HORIZON_WEEKS_MAX * 2)
        )
    except ValidationError:
        return []
    return [
        {"starts": timezone.localtime(o.start, tz), "ends": timezone.localtime(o.end, tz)}
        for o in occurrences[:count]
    ]
