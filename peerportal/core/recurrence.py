"""Recurrence expansion in local time.

Rules are RFC 5545 RRULE strings ("FREQ=WEEKLY;BYDAY=TU"). They are expanded with
dateutil on naive *local* wall-clock times and only then given the organization's time
zone and converted to UTC, so a group at 18:00 stays at 18:00 across DST changes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Occurrence:
    start: dt.datetime  # aware, UTC
    end: dt.datetime  # aware, UTC
    local_date: dt.date


def weekly_rule(weekdays: list[int], interval: int = 1) -> str:
    """An RRULE for the given weekdays (0 = Monday)."""
    if not weekdays:
        raise ValueError("at least one weekday")
    days = ",".join(WEEKDAY_CODES[d] for d in sorted(set(weekdays)))
    rule = f"FREQ=WEEKLY;BYDAY={days}"
    return rule if interval == 1 else f"{rule};INTERVAL={interval}"


def validate_rrule(value: str) -> None:
    try:
        rrulestr(value, dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            _("This is not a valid recurrence rule: %(error)s"), params={"error": exc}
        ) from exc
    if "FREQ=" not in value.upper():
        raise ValidationError(_("A recurrence rule needs a frequency (FREQ=…)."))


def to_utc(local_date: dt.date, local_time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Wall-clock time at ``tz`` → aware UTC datetime (first of two in an autumn overlap)."""
    return dt.datetime.combine(local_date, local_time, tzinfo=tz).astimezone(dt.UTC)


def expand(
    rule: str,
    *,
    first_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    tz: zoneinfo.ZoneInfo,
    window_start: dt.datetime,
    window_end: dt.datetime,
    until: dt.date | None = None,
) -> list[Occurrence]:
    """Occurrences whose start falls in [window_start, window_end).

    ``end_time`` earlier than or equal to ``start_time`` means the occurrence ends the next
    day (an overnight warm-line shift, 22:00–02:00).
    """
    dtstart = dt.datetime.combine(first_date, start_time)
    recurrence = rrulestr(rule, dtstart=dtstart)
    local_from = window_start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    local_to = window_end.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    overnight = end_time <= start_time
    out: list[Occurrence] = []
    for local_start in recurrence.between(local_from, local_to, inc=True):
        day = local_start.date()
        if until is not None and day > until:
            break
        start = to_utc(day, start_time, tz)
        end_day = day + dt.timedelta(days=1) if overnight else day
        end = to_utc(end_day, end_time, tz)
        if window_start <= start < window_end:
            out.append(Occurrence(start=start, end=end, local_date=day))
    return out
