"""Generating a group's sessions over its rolling horizon: the one place sessions are made."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerportal.core.models import Organization

from .. import standing
from ..models import GroupSession, SupportGroup


def group_sessions_generate(*, group: SupportGroup, now: dt.datetime | None = None) -> int:
    """Create the group's missing sessions over its rolling horizon. Idempotent.

    The one place sessions are generated (the daily task, saving a group, editing its
    schedule all call it). It only adds: a date that already has a session — moved by
    hand, or cancelled — gets no second one; changing or ending a schedule is
    ``group_schedule_update`` / ``group_archive``. Unpublished and archived groups get
    none. At most ``MAX_OCCURRENCES`` per run. Returns the number of sessions created.
    """
    if not group.is_published or group.is_archived:
        return 0
    now = now or timezone.now()
    tz = Organization.get().tzinfo
    window_end = now + dt.timedelta(weeks=group.horizon_weeks)
    occurrences = group.planned_occurrences(tz=tz, window_start=now, window_end=window_end)
    if not occurrences:
        return 0
    taken = {
        timezone.localtime(start, tz).date()
        for start in group.sessions.filter(
            occurrence_start__gte=occurrences[0].start - dt.timedelta(days=1),
            occurrence_start__lt=window_end + dt.timedelta(days=1),
        ).values_list("occurrence_start", flat=True)
    }
    new = [
        GroupSession(group=group, occurrence_start=o.start, starts_at=o.start, ends_at=o.end)
        for o in occurrences
        if o.local_date not in taken
    ]
    GroupSession.objects.bulk_create(new, ignore_conflicts=True)
    standing.standing_places_fill_group(group=group, now=now)  # standing places take their seats
    return len(new)


def group_sessions_generate_all(*, now: dt.datetime | None = None) -> int:
    return sum(group_sessions_generate(group=g, now=now) for g in SupportGroup.objects.published())
