"""The coming sessions read that group pages and facilitators' lists share."""

from __future__ import annotations

import datetime as dt

from ..models import GroupSession


def _upcoming_sessions(now: dt.datetime, limit_days: int = 28):
    # No select_related("group"): prefetched from a group, each session's ``group`` is set
    # to that group instance (a wide row and a model instance per session saved).
    return (
        GroupSession.objects.upcoming(now)
        .filter(starts_at__lt=now + dt.timedelta(days=limit_days))
        .with_counts()
        .order_by("starts_at")
    )
