"""Dashboard panel contexts."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from peerportal.core.templatetags.formatting_cache import cached_date

from . import selectors


def my_next_shifts(request) -> dict:
    """The next three shifts, with the link and the time as the panel shows them (the
    dashboard renders every panel on each visit: only the shown fields are loaded)."""
    assignments = list(
        selectors.assignment_list_for(request.user).only(
            "shift", "shift__starts_at", "shift__line", "shift__line__name"
        )[:3]
    )
    board = reverse("warmline:board")
    for a in assignments:
        start = timezone.localtime(a.shift.starts_at)
        a.week_link = f"{board}?week={start:%Y-%m-%d}#shift-{a.shift_id}"
        a.starts = cached_date(start, "D j M, H:i")
    return {"assignments": assignments}


def coverage_gaps(request) -> dict:
    return {"gaps": list(selectors.coverage_gaps_for(request.user, days=7)[:10])}
