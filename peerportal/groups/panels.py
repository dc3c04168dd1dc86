from __future__ import annotations

from . import selectors


def my_bookings(request) -> dict:
    return {"bookings": selectors.booking_panel_for(request.user)}


def facilitating(request) -> dict:
    return {"sessions": selectors.sessions_facilitated_panel(request.user)}
