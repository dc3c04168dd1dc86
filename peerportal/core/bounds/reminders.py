"""Bounds of reminders: quiet hours and how far ahead a reminder may go out."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Longest quiet-hours span. With more than 16 quiet hours, reminders due "2 hours before"
#: would arrive after the thing they remind of; 8 waking hours remain for mail to arrive.
QUIET_HOURS_MAX = dt.timedelta(hours=16)


#: Earliest a reminder may go out: 90 days before, the longest choice offered (a credential
#: expiring); further ahead a reminder is noise and rows would pile up.
REMINDER_OFFSET_MAX_MINUTES = 90 * 24 * 60


def check_quiet_hours(start: dt.time | None, end: dt.time | None) -> None:
    """Both or neither; different times; at most QUIET_HOURS_MAX long (may cross midnight)."""
    if start is None and end is None:
        return
    if start is None or end is None:
        raise ValidationError(
            _("Give both a start and an end for quiet hours."), code="quiet_hours_half"
        )
    if start == end:
        raise ValidationError(
            _(
                "Quiet hours must start and end at different times. "
                "To get no quiet hours, leave both empty."
            ),
            code="quiet_hours_empty",
        )
    day = dt.date(2000, 1, 3)
    span = dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
    if span <= dt.timedelta(0):
        span += dt.timedelta(days=1)
    if span > QUIET_HOURS_MAX:
        raise ValidationError(
            _(
                "Quiet hours can last at most %(hours)s hours, "
                "so reminders still reach you in time."
            ),
            code="quiet_hours_long",
            params={"hours": int(QUIET_HOURS_MAX.total_seconds() // 3600)},
        )
