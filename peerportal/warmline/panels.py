"""Dashboard panel contexts."""

from __future__ import annotations

from . import selectors


def my_next_shifts(request) -> dict:
    return {"assignments": list(selectors.assignment_list_for(request.user)[:3])}


def coverage_gaps(request) -> dict:
    return {"gaps": list(selectors.coverage_gaps_for(request.user, days=7)[:10])}
