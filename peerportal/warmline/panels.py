"""Dashboard panel contexts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerportal.core.prepared import PreparedRows
from peerportal.core.templatetags.formatting_cache import cached_date, cached_url

from . import selectors

# ``selectors.assignment_list_for(user)``'s first three, the fields the panel shows: every
# dashboard visit of staff reads it, so its statement is built by the ORM once per process.
_NEXT_SHIFTS = PreparedRows(
    lambda person_id, now: selectors.assignment_list_for(person_id, now=now).values_list(
        "shift_id", "shift__starts_at", "shift__line__name"
    )[:3],
    person_id=int,
    now=dt.datetime,
)


def my_next_shifts(request) -> dict:
    """The next three shifts, with the link and the time as the panel shows them (the
    dashboard renders every panel on each visit: only the shown fields are loaded)."""
    rows = _NEXT_SHIFTS.rows(person_id=request.user.pk, now=timezone.now())
    board = cached_url("warmline:board")
    assignments = []
    for shift_id, starts_at, line in rows:
        start = timezone.localtime(starts_at)
        assignments.append(
            {
                "week_link": f"{board}?week={start:%Y-%m-%d}#shift-{shift_id}",
                "starts": cached_date(start, "D j M, H:i"),
                "line": line,
            }
        )
    return {"assignments": assignments}


def coverage_gaps(request) -> dict:
    return {"gaps": list(selectors.coverage_gaps_for(request.user, days=7)[:10])}
