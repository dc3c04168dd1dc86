"""Dashboard panels."""

from __future__ import annotations

from . import selectors


def failed(request) -> dict:
    return {"failed_count": selectors.reminder_failed_list_for(request.user).count()}
