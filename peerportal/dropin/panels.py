"""Dashboard panel contexts."""

from __future__ import annotations

from . import selectors


def my_rsvps(request) -> dict:
    return {"rsvps": list(selectors.rsvp_list_for(request.user)[:3])}
