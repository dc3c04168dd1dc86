"""Bounds of scheduled things: drop-in events, warm-line shifts, their repeating series."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .checking import local_today

#: The furthest ahead anything may be scheduled (an event, a shift, a series' last date).
#: Organizations plan a year's programme at most; two years leaves room for next year's
#: calendar while refusing typos such as 2062 or 9999 (field report M1).
SCHEDULE_MAX_AHEAD = dt.timedelta(days=2 * 365)

#: How late a coordinator may enter an event that already happened. A week covers "I forgot
#: to put last Tuesday's drop-in in, and I want to record its head count"; anything older is
#: almost always a mistyped year (events "in 2019", field report M1).
SCHEDULE_BACKFILL = dt.timedelta(days=7)

#: How far back the first date of a repeating series may lie. The first date anchors the
#: rhythm ("every other Wednesday") and dates are only ever created from today on, so a past
#: first date is harmless; a year back covers any real rhythm and still catches 1900.
SERIES_ANCHOR_BACKFILL = dt.timedelta(days=365)

#: Longest single drop-in event. A drop-in is a gathering of some hours; an end more than a
#: day after the start is a typo in the end date. A multi-day programme is a repeating event.
EVENT_MAX_DURATION = dt.timedelta(hours=24)

#: Longest single warm-line shift. Peers answer calls; more than 16 hours on the line in one
#: stretch is beyond any fatigue guidance and is, in practice, a mistyped date or time.
SHIFT_MAX_DURATION = dt.timedelta(hours=16)

#: Frequencies a repeating event or shift pattern may use. Nothing repeats more than once a
#: day: FREQ=MINUTELY or HOURLY would create thousands of rows (field report H5).
RECURRENCE_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")

#: Largest INTERVAL in a recurrence rule ("every 52 weeks" is already once a year).
RECURRENCE_MAX_INTERVAL = 52

#: Largest COUNT in a recurrence rule: two years of daily dates. A bigger count only makes
#: rows nobody will attend.
RECURRENCE_MAX_COUNT = 730

#: How many weeks of shifts a pattern keeps generated ahead. Half a year is plenty to plan
#: sign-ups and swaps; longer piles up empty shifts and coverage alerts.
SHIFT_HORIZON_WEEKS_MAX = 26


def _date(value: dt.date | dt.datetime) -> dt.date:
    """A datetime's date in the organization's zone; a date as is."""
    if isinstance(value, dt.datetime):
        from ..models import Organization

        return timezone.localtime(value, Organization.get().tzinfo).date()
    return value


def _fmt(value: dt.date | dt.datetime) -> str:
    from django.utils.formats import date_format

    return date_format(_date(value), "DATE_FORMAT")


def _check_window(value, *, start, backfill_by, past_message, latest) -> None:
    """``value`` (a moment or a date) no earlier than ``start`` less ``backfill_by`` (or than
    ``start`` itself without backfill) and no later than ``latest``."""
    if value < start - (backfill_by or dt.timedelta(0)):
        if backfill_by:
            raise ValidationError(
                _("This is more than %(days)s days in the past. Check the year."),
                code="too_far_past",
                params={"days": backfill_by.days},
            )
        raise ValidationError(past_message, code="past")
    if value > latest:
        raise ValidationError(
            _("This is more than two years ahead (after %(latest)s). Check the year."),
            code="too_far_ahead",
            params={"latest": _fmt(latest)},
        )


def check_schedule_window(
    starts_at: dt.datetime, *, now: dt.datetime | None = None, backfill: bool = False
) -> None:
    """A start no later than SCHEDULE_MAX_AHEAD; not in the past (or, with ``backfill``,
    not more than SCHEDULE_BACKFILL ago)."""
    now = now or timezone.now()
    _check_window(
        starts_at,
        start=now,
        backfill_by=SCHEDULE_BACKFILL if backfill else None,
        past_message=_("This time has already passed. Choose a time in the future."),
        latest=now + SCHEDULE_MAX_AHEAD,
    )


def check_date_window(
    day: dt.date,
    *,
    now: dt.datetime | None = None,
    backfill: bool = False,
    backfill_by: dt.timedelta = SCHEDULE_BACKFILL,
) -> None:
    """:func:`check_schedule_window` for a date in the organization's calendar
    (``backfill_by``: how far back, when ``backfill``)."""
    today = local_today(now)
    _check_window(
        day,
        start=today,
        backfill_by=backfill_by if backfill else None,
        past_message=_("This date has already passed. Choose today or a later date."),
        latest=today + SCHEDULE_MAX_AHEAD,
    )


def check_ends_after_starts(
    starts_at, ends_at, *, max_duration: dt.timedelta | None = None
) -> None:
    """The end is after the start, and (with ``max_duration``) not too long after it."""
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        raise ValidationError(_("The end must be after the start."), code="ends_before_start")
    if max_duration is not None and ends_at - starts_at > max_duration:
        hours = int(max_duration.total_seconds() // 3600)
        raise ValidationError(
            _("This lasts more than %(hours)s hours. Check the end date and time."),
            code="too_long",
            params={"hours": hours},
        )


def check_recurrence(rule: str) -> None:
    """A rule repeats at most daily, with a bounded INTERVAL and COUNT."""
    if not rule:
        return
    parts = {}
    for chunk in rule.upper().split(";"):
        key, sep, value = chunk.partition("=")
        if not sep:
            raise ValidationError(_("This is not a valid recurrence rule."), code="rrule")
        parts[key.strip()] = value.strip()
    try:
        rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("This is not a valid recurrence rule."), code="rrule") from exc
    if parts.get("FREQ") not in RECURRENCE_FREQUENCIES:
        raise ValidationError(
            _("Repeat daily, weekly, monthly or yearly; nothing repeats more than once a day."),
            code="rrule_frequency",
        )
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
    except ValueError as exc:
        raise ValidationError(_("This is not a valid recurrence rule."), code="rrule") from exc
    if not 1 <= interval <= RECURRENCE_MAX_INTERVAL:
        raise ValidationError(
            _("The interval must be between 1 and %(high)s."),
            code="rrule_interval",
            params={"high": RECURRENCE_MAX_INTERVAL},
        )
    if count is not None and not 1 <= count <= RECURRENCE_MAX_COUNT:
        raise ValidationError(
            _("A series can have at most %(high)s dates."),
            code="rrule_count",
            params={"high": RECURRENCE_MAX_COUNT},
        )
    if "UNTIL" in parts:
        raise ValidationError(
            _("Give the last date in the “Repeat until” field, not in the rule."),
            code="rrule_until",
        )


def check_series_until(
    first_date: dt.date, until: dt.date | None, *, now: dt.datetime | None = None
) -> None:
    """A series' last date is not before its first and not beyond SCHEDULE_MAX_AHEAD."""
    if until is None or first_date is None:
        return
    if until < first_date:
        raise ValidationError(
            _("The last date must not be before the first."), code="until_before_first"
        )
    latest = local_today(now) + SCHEDULE_MAX_AHEAD
    if until > latest:
        raise ValidationError(
            _("A series can run at most two years ahead (until %(latest)s)."),
            code="until_too_far",
            params={"latest": _fmt(latest)},
        )
