"""Shifts from patterns: a pattern's bounds and its shifts generated over the horizon."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core import bounds
from peerportal.core.models import Organization
from peerportal.core.recurrence import expand

from ..models import Shift, ShiftPattern


def _pattern_length(start: dt.time, end: dt.time) -> dt.timedelta:
    day = dt.date(2000, 1, 3)
    span = dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
    return span if span > dt.timedelta(0) else span + dt.timedelta(days=1)


def shift_pattern_check_bounds(
    *,
    rrule: str | None,
    first_date: dt.date | None,
    start_time: dt.time | None,
    end_time: dt.time | None,
    min_staff: int | None,
    max_staff: int | None,
    horizon_weeks: int | None,
    previous_first_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A bounded rule; a first date inside the schedule window (a year back at most, as for
    drop-in series: it only anchors the rhythm); 1–20 staff with max ≥ min; a horizon of
    1–26 weeks; a shift of at most 16 hours (an end earlier than the start is overnight)."""
    checks = bounds.Checks()
    if rrule is not None:
        checks.run("rrule", bounds.check_recurrence, rrule)
    if first_date is not None and first_date != previous_first_date:
        checks.run(
            "first_date",
            bounds.check_date_window,
            first_date,
            now=now,
            backfill=True,
            backfill_by=bounds.SERIES_ANCHOR_BACKFILL,
        )
    if start_time is not None and end_time is not None:
        if start_time == end_time:
            checks.add("end_time", _("A shift must end at a different time."))
        elif _pattern_length(start_time, end_time) > bounds.SHIFT_MAX_DURATION:
            checks.run(
                "end_time",
                bounds.check_ends_after_starts,
                dt.timedelta(0),
                _pattern_length(start_time, end_time),
                max_duration=bounds.SHIFT_MAX_DURATION,
            )
    checks.run("min_staff", bounds.validate_shift_staff, min_staff)
    checks.run("max_staff", bounds.validate_shift_staff, max_staff)
    if min_staff is not None and max_staff is not None and max_staff < min_staff:
        checks.add("max_staff", _("The maximum cannot be below the minimum."))
    checks.run("horizon_weeks", bounds.validate_horizon_weeks, horizon_weeks)
    checks.raise_any()


def shift_for(pattern: ShiftPattern, occurrence) -> Shift:
    """An unsaved shift for one occurrence of a pattern, with the pattern's staffing rules."""
    return Shift(
        line=pattern.line,
        pattern=pattern,
        starts_at=occurrence.start,
        ends_at=occurrence.end,
        min_staff=pattern.min_staff,
        max_staff=pattern.max_staff,
        required_qualification=pattern.required_qualification,
    )


def shifts_generate(*, pattern: ShiftPattern, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    occurrences = expand(
        pattern.rrule,
        first_date=pattern.first_date,
        start_time=pattern.start_time,
        end_time=pattern.end_time,
        tz=Organization.get().tzinfo,
        window_start=now,
        window_end=now + dt.timedelta(weeks=pattern.horizon_weeks),
    )
    existing = set(pattern.shifts.filter(starts_at__gte=now).values_list("starts_at", flat=True))
    new = [shift_for(pattern, o) for o in occurrences if o.start not in existing]
    Shift.objects.bulk_create(new, ignore_conflicts=True)  # the unique constraint covers a race
    return len(new)


def shifts_generate_all(*, now=None) -> int:
    return sum(
        shifts_generate(pattern=p, now=now)
        for p in ShiftPattern.objects.filter(is_active=True, line__is_active=True)
    )
