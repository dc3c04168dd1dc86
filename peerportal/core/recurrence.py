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


# --- Schedules people build in a form ------------------------------------------------
# Support groups never take a typed rule. A coordinator picks "weekly on Tue and Thu, every
# other week" or "the 2nd Tuesday of every month"; ``Schedule`` is that choice, its rule
# string is built here and is the only grammar ``Schedule.from_rule`` accepts back.

WEEKLY = "weekly"
MONTHLY = "monthly"
INTERVAL_MAX = 4  # "every 4 weeks" is the rarest a peer group meets; more is a data error
LAST = -1
ORDINALS = (1, 2, 3, 4, LAST)  # "5th Tuesday" exists in only some months: not offered
MAX_OCCURRENCES = 400  # a hard stop for any expansion (26 weeks x 7 days = 182)


def ordinal_label(ordinal: int) -> str:
    return {
        1: _("1st"),
        2: _("2nd"),
        3: _("3rd"),
        4: _("4th"),
        LAST: _("last"),
    }[ordinal]


def _weekday_names(days) -> str:
    from django.utils.dates import WEEKDAYS

    names = [str(WEEKDAYS[d]) for d in days]
    if len(names) == 1:
        return names[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class Schedule:
    """A weekly (chosen days, every N weeks) or monthly-by-weekday repetition."""

    repeat: str
    weekdays: tuple[int, ...] = ()  # weekly: 0 = Monday
    interval: int = 1  # weekly: every N weeks
    ordinal: int | None = None  # monthly: 1..4 or LAST
    weekday: int | None = None  # monthly

    def __post_init__(self):
        if self.repeat == WEEKLY:
            days = self.weekdays
            if not days or any(d not in range(7) for d in days) or len(set(days)) != len(days):
                raise ValidationError(_("Choose at least one day of the week."))
            if not 1 <= self.interval <= INTERVAL_MAX:
                raise ValidationError(
                    _("Choose every 1 to %(max)d weeks."), params={"max": INTERVAL_MAX}
                )
            object.__setattr__(self, "weekdays", tuple(sorted(days)))
        elif self.repeat == MONTHLY:
            if self.ordinal not in ORDINALS or self.weekday not in range(7):
                raise ValidationError(_("Choose which weekday of the month."))
            if self.interval != 1:
                raise ValidationError(_("A monthly schedule repeats every month."))
        else:
            raise ValidationError(_("Choose weekly or monthly."))

    def to_rule(self) -> str:
        if self.repeat == WEEKLY:
            days = ",".join(WEEKDAY_CODES[d] for d in self.weekdays)
            rule = f"FREQ=WEEKLY;BYDAY={days}"
            return rule if self.interval == 1 else f"{rule};INTERVAL={self.interval}"
        return f"FREQ=MONTHLY;BYDAY={self.ordinal}{WEEKDAY_CODES[self.weekday]}"

    @classmethod
    def from_rule(cls, rule: str) -> Schedule:
        """Parse a rule this module built; anything else is a ``ValidationError``."""
        invalid = ValidationError(
            _("This schedule is not one the schedule builder makes (weekly or monthly).")
        )
        try:
            parts = dict(part.split("=", 1) for part in (rule or "").strip().upper().split(";"))
        except ValueError:
            raise invalid from None
        freq, byday = parts.pop("FREQ", ""), parts.pop("BYDAY", "")
        interval = parts.pop("INTERVAL", "1")
        if parts or not byday or not interval.isdigit():
            raise invalid
        try:
            if freq == "WEEKLY":
                days = [WEEKDAY_CODES.index(code) for code in byday.split(",")]
                return cls(WEEKLY, weekdays=tuple(days), interval=int(interval))
            if freq == "MONTHLY":
                code, number = byday[-2:], byday[:-2]
                ordinal = int(number) if number.lstrip("-").isdigit() else 0
                return cls(
                    MONTHLY,
                    ordinal=ordinal,
                    weekday=WEEKDAY_CODES.index(code),
                    interval=int(interval),
                )
        except (ValueError, ValidationError):
            raise invalid from None
        raise invalid

    def describe(self) -> str:
        """ "Every other Tuesday", "The 2nd Tuesday of every month"."""
        if self.repeat == MONTHLY:
            return _("The %(ordinal)s %(weekday)s of every month") % {
                "ordinal": ordinal_label(self.ordinal),
                "weekday": _weekday_names([self.weekday]),
            }
        days = _weekday_names(self.weekdays)
        if self.interval == 1:
            return _("Every %(days)s") % {"days": days}
        if self.interval == 2:
            return _("Every other %(days)s") % {"days": days}
        return _("Every %(n)d weeks on %(days)s") % {"n": self.interval, "days": days}


def validate_schedule_rule(value: str) -> None:
    """Model-field validator: only rules built by ``Schedule``."""
    Schedule.from_rule(value)


def occurrence_dates(
    schedule: Schedule,
    *,
    first_date: dt.date,
    last_date: dt.date,
    from_date: dt.date | None = None,
    until: dt.date | None = None,
    skipped=(),
    limit: int = MAX_OCCURRENCES,
) -> list[dt.date]:
    """Local dates of a schedule started on ``first_date``, from ``from_date`` (default: the
    first date) to ``last_date`` inclusive, at most ``limit``; ``skipped`` dates are left
    out and ``until`` ends the schedule."""
    if until is not None:
        last_date = min(last_date, until)
    if last_date < first_date:
        return []
    recurrence = rrulestr(schedule.to_rule(), dtstart=dt.datetime.combine(first_date, dt.time()))
    skip = set(skipped)
    out: list[dt.date] = []
    for moment in recurrence.xafter(dt.datetime.combine(first_date, dt.time()), inc=True):
        day = moment.date()
        if day > last_date or len(out) >= limit:
            break
        if day not in skip and (from_date is None or day >= from_date):
            out.append(day)
    return out


def summary(
    schedule: Schedule,
    *,
    start_time: dt.time,
    end_time: dt.time,
    first_date: dt.date,
    until: dt.date | None = None,
    skipped=(),
) -> str:
    """A sentence such as "Every other Tuesday, 18:00–19:30, from 5 Jan 2027, except 23 Feb 2027"."""
    from django.utils.formats import date_format

    def day(d: dt.date) -> str:
        return date_format(d, "j M Y")

    text = _("%(pattern)s, %(start)s–%(end)s, from %(first)s") % {
        "pattern": schedule.describe(),
        "start": start_time.strftime("%H:%M"),
        "end": end_time.strftime("%H:%M"),
        "first": day(first_date),
    }
    if until:
        text = _("%(text)s to %(until)s") % {"text": text, "until": day(until)}
    if skipped:
        text = _("%(text)s, except %(dates)s") % {
            "text": text,
            "dates": ", ".join(day(d) for d in sorted(skipped)),
        }
    return text
