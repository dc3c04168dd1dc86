from __future__ import annotations

from . import selectors


def my_bookings(request) -> dict:
    return {"bookings": list(selectors.booking_list_for(request.user)[:5])}


def facilitating(request) -> dict:
    return {"sessions": list(selectors.sessions_facilitated_by(request.user, days=7)[:5])}
