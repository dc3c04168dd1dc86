"""Why a person may not take a shift: one rule set for the service and for the board.

``check_eligibility`` (services) raises the refusal when someone signs up or takes a swap;
the board, My shifts and the swap list ask the same question for many shifts at once
(``selectors.eligibility_for``) to show the reason beside a disabled button before anyone
clicks. Both feed ``refusal`` with the same facts, so the reasons cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils import timezone

from . import exceptions


class Span(NamedTuple):
    """A shift's times, where only they are needed (``week_hours`` of plain rows)."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def shift_hours(shift) -> float:
    return (shift.ends_at - shift.starts_at).total_seconds() / 3600


def week_start(moment: dt.datetime, tz) -> dt.datetime:
    """Monday 00:00, local time, of the ISO week holding ``moment``."""
    local = timezone.localtime(moment, tz)
    return (local - dt.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )


def week_hours(my_shifts, moment: dt.datetime, tz) -> float:
    """Hours of ``my_shifts`` (shifts the person is on) starting in ``moment``'s local week."""
    monday = week_start(moment, tz)
    end = monday + dt.timedelta(days=7)
    return sum(shift_hours(s) for s in my_shifts if monday <= s.starts_at < end)


def format_hours(hours: float) -> str:
    return f"{round(hours, 2):g}"


def refusal(
    *,
    shift,
    is_member: bool,
    qualification_reason: str | None,
    my_shifts,
    tz,
) -> exceptions.WarmLineError | None:
    """The first rule ``shift`` breaks for a person, or None.

    ``my_shifts`` are the shifts the person is actively on around ``shift`` (at least its
    week and any that could overlap), not counting ``shift`` itself.
    """
    if not is_member:
        return exceptions.NotProgramMember()
    if qualification_reason:
        return exceptions.NotQualified(qualification_reason)
    if any(s.starts_at < shift.ends_at and s.ends_at > shift.starts_at for s in my_shifts):
        return exceptions.Overlap()
    current = week_hours(my_shifts, shift.starts_at, tz)
    limit = shift.line.max_hours_per_week
    if current + shift_hours(shift) > limit:
        return exceptions.TooManyHours(limit=limit, current=current)
    return None
