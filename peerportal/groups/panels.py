"""Dashboard panel contexts.

Every dashboard visit reads both panels: their reads (``selectors.next_bookings`` and
``selectors.facilitated_sessions_before``) have their statements built by the ORM once per
process (``PreparedRows``), as rows of the shown fields.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerportal.core.links import pk_link
from peerportal.core.permissions import require_role
from peerportal.core.prepared import PreparedRows

from . import selectors

_NEXT_BOOKINGS = PreparedRows(
    lambda member_id, now: selectors.next_bookings(member_id, now).values_list(
        "status", "session__starts_at", "session__group__name"
    )[:5],
    member_id=int,
    now=dt.datetime,
)

_FACILITATING = PreparedRows(
    lambda facilitator_id, now, until: selectors.facilitated_sessions_before(
        facilitator_id, now, until
    ).values_list("pk", "starts_at", "group__name")[:5],
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
