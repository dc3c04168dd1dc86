"""Dashboard panel contexts."""

from __future__ import annotations

from . import selectors


def my_rsvps(request) -> dict:
    return {"rsvps": selectors.rsvp_panel_rows(request.user)}
