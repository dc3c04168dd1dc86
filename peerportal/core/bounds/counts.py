"""Bounds of counts: event places, head counts, shift staffing and hours, visit tallies."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .checking import _between, local_today
from .scheduling import SCHEDULE_BACKFILL, SHIFT_HORIZON_WEEKS_MAX

#: Largest capacity (RSVP places) of one drop-in event: 500 fills a large hall; a bigger
#: number is a typo, and capacity 0 would make an event nobody can RSVP to.
EVENT_CAPACITY_MAX = 500

#: A visit count is for a day that has happened: today or, for a correction, up to a week
#: back (the same SCHEDULE_BACKFILL as late events); never the future.
VISIT_TALLY_BACKFILL = SCHEDULE_BACKFILL

#: Largest head count staff may record for one event (no names, just a number). Ten times
#: the largest capacity leaves room for open events without RSVP.
ATTENDANCE_MAX = 5000

#: People needed or allowed on one warm-line shift. A line is answered by a few peers at a
#: time; 20 is far above any real roster and keeps sign-up pages readable.
SHIFT_STAFF_MAX = 20

#: Maximum hours per person per week a line may allow. 60 hours is beyond full time; a
#: larger number disables the limit that protects peers from burning out; 0 bars everyone.
WEEKLY_HOURS_MAX = 60

#: How close to a shift's start people may still release it (hours). A week is the longest
#: notice any program asks for.
RELEASE_CUTOFF_HOURS_MAX = 7 * 24

#: How far ahead coordinators are alerted about short-staffed shifts (days). A month is the
#: longest useful look-ahead; 0 would never alert.
GAP_ALERT_DAYS_MAX = 30


def validate_event_capacity(value: int | None) -> None:
    _between(
        value,
        1,
        EVENT_CAPACITY_MAX,
        _("Capacity must be between %(low)s and %(high)s people (or empty for no limit)."),
        "capacity",
    )


def validate_attendance(value: int | None) -> None:
    _between(
        value,
        0,
        ATTENDANCE_MAX,
        _("The head count must be between %(low)s and %(high)s."),
        "attendance",
    )


def validate_shift_staff(value: int | None) -> None:
    _between(
        value,
        1,
        SHIFT_STAFF_MAX,
        _("A shift needs between %(low)s and %(high)s people."),
        "shift_staff",
    )


def validate_horizon_weeks(value: int | None) -> None:
    _between(
        value,
        1,
        SHIFT_HORIZON_WEEKS_MAX,
        _("Generate between %(low)s and %(high)s weeks of shifts ahead."),
        "horizon",
    )


def validate_weekly_hours(value: int | None) -> None:
    _between(
        value,
        1,
        WEEKLY_HOURS_MAX,
        _("The weekly maximum must be between %(low)s and %(high)s hours."),
        "weekly_hours",
    )


def validate_release_cutoff(value: int | None) -> None:
    _between(
        value,
        0,
        RELEASE_CUTOFF_HOURS_MAX,
        _("The release cutoff must be between %(low)s and %(high)s hours."),
        "release_cutoff",
    )


def validate_gap_alert_days(value: int | None) -> None:
    _between(
        value,
        1,
        GAP_ALERT_DAYS_MAX,
        _("Alert between %(low)s and %(high)s days ahead."),
        "gap_alert_days",
    )


def check_tally_day(day: dt.date, *, now: dt.datetime | None = None) -> None:
    today = local_today(now)
    if day > today:
        raise ValidationError(_("Visits can't be counted for a day still to come."), code="future")
    if day < today - VISIT_TALLY_BACKFILL:
        raise ValidationError(
            _("Visits can be counted up to %(days)s days afterwards."),
            code="too_far_past",
            params={"days": VISIT_TALLY_BACKFILL.days},
        )
