"""One rule set for the bounds on what people enter: dates, durations, counts, horizons.

Every bound is a named constant with the reason it has that value. Each check is a plain
function that raises ``django.core.exceptions.ValidationError`` with a translated message
and a ``code``, so that

- a form calls it (as a field validator, or in ``clean()`` through :func:`form_check`)
  and the person sees the message beside the field, before any database constraint can
  fire; and
- a service calls it inside :func:`enforced`, which turns the ``ValidationError`` into the
  app's own domain error, so that a caller that skips the form (the demo seed, a
  management command, another service) is held to the same rules.

Database constraints stay as the last line of defence; they never carry the message a
person reads (see ``violation_error_message`` on every constraint).

"Today" is the organization's local date (``Organization.get().tzinfo``), never the
server's: a call logged at 23:30 in New York is not "in the future" because UTC is already
on the next day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# --- scheduled things: drop-in events, warm-line shifts, their repeating series --------------

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

# --- counts -------------------------------------------------------------------------------

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

# --- the warm-line call log ----------------------------------------------------------------

#: A contact lasts 1 to 240 minutes. 0 minutes is no contact; more than four hours on one
#: call is a typo (and far beyond the line's own guidance for a warm-line conversation).
CALL_MINUTES_MIN = 1
CALL_MINUTES_MAX = 240

#: Calls are logged during or right after a shift. A week covers a forgotten entry; an older
#: date (1900, field report M1) is a mistake, and the numbers feed monthly reports.
CALL_BACKFILL = dt.timedelta(days=7)

#: Allowance for clocks: a form opened at 14:02 that says "started 14:03" is not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

# --- certification -----------------------------------------------------------------------

#: The earliest date a training record or an issued credential may carry. Peer-specialist
#: certification programmes began in the late 1990s; training before 1990 cannot count
#: toward any current credential, and dates like 1900 are mistyped years (field report M1).
CREDENTIAL_EARLIEST = dt.date(1990, 1, 1)

#: Hours one training record may claim: at least a quarter hour (the smallest unit boards
#: accept) and at most 120 — the longest initial peer-specialist trainings run 80–90 hours,
#: so more in one record is a typo (400 for 40).
TRAINING_HOURS_MIN = Decimal("0.25")
TRAINING_HOURS_MAX = Decimal("120")

#: A supervision session is a meeting: a quarter hour to 8 hours (a working day).
SUPERVISION_HOURS_MIN = Decimal("0.25")
SUPERVISION_HOURS_MAX = Decimal("8")

#: Supervision is logged after it happened, within a year: supervised-hours requirements
#: count recent practice, and an older date is almost always a typo. Never in the future
#: (a session "in 2031", field report M1, has not happened).
SUPERVISION_BACKFILL = dt.timedelta(days=365)

#: An expiry printed on a certificate is at most ten years after issue. Credentials renew
#: every one to three years; a longer span is a mistyped year.
CERTIFICATE_MAX_VALIDITY = dt.timedelta(days=10 * 365)

# --- locations ---------------------------------------------------------------------------

#: Opening-hours blocks per location and weekday. A centre opens in one or two blocks a day
#: (morning and evening); four leaves room for split hours, more is a slip in the form.
OPENING_BLOCKS_PER_DAY_MAX = 4

# --- reminders ---------------------------------------------------------------------------

#: Longest quiet-hours span. With more than 16 quiet hours, reminders due "2 hours before"
#: would arrive after the thing they remind of; 8 waking hours remain for mail to arrive.
QUIET_HOURS_MAX = dt.timedelta(hours=16)


#: Earliest a reminder may go out: 90 days before, the longest choice offered (a credential
#: expiring); further ahead a reminder is noise and rows would pile up.
REMINDER_OFFSET_MAX_MINUTES = 90 * 24 * 60


# --- helpers -----------------------------------------------------------------------------


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the organization's time zone."""
    from .models import Organization

    return timezone.localtime(now or timezone.now(), Organization.get().tzinfo).date()


def _date(value: dt.date | dt.datetime) -> dt.date:
    """A datetime's date in the organization's zone; a date as is."""
    if isinstance(value, dt.datetime):
        from .models import Organization

        return timezone.localtime(value, Organization.get().tzinfo).date()
    return value


def _fmt(value: dt.date | dt.datetime) -> str:
    from django.utils.formats import date_format

    return date_format(_date(value), "DATE_FORMAT")


@contextmanager
def enforced(error_cls: Callable[[str], Exception]) -> Iterator[None]:
    """Run bound checks in a service: a ``ValidationError`` becomes ``error_cls(message)``."""
    try:
        yield
    except ValidationError as exc:
        raise error_cls(" ".join(str(m) for m in exc.messages)) from exc


def form_check(
    form, field: str | None, check: Callable, *args, rename: dict | None = None, **kwargs
) -> bool:
    """Run ``check`` in a form's ``clean()``; a failure becomes an error on ``field`` (or,
    for a :class:`Checks` error, on each named field, ``rename`` mapping check names to the
    form's field names)."""
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                name = (rename or {}).get(name, name)
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(field if field in form.fields else None, exc)
        return False
    return True


class Checks:
    """Collect several checks' errors by field, then raise them as one ``ValidationError``.

    An app's ``<entity>_check_bounds`` builds one of these; a form passes it to
    :func:`form_check` (each message lands on its field), a service runs it inside
    :func:`enforced` (one domain error).
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def run(self, field: str, check: Callable, *args, **kwargs) -> bool:
        try:
            check(*args, **kwargs)
        except ValidationError as exc:
            self.errors.setdefault(field, []).append(exc)
            return False
        return True

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _between(value, low, high, message: str, code: str) -> None:
    if value is None:
        return
    if value < low or value > high:
        raise ValidationError(message, code=code, params={"low": low, "high": high})


# --- scheduled things --------------------------------------------------------------------


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


# --- calls -------------------------------------------------------------------------------


def validate_call_minutes(value: int | None) -> None:
    _between(
        value,
        CALL_MINUTES_MIN,
        CALL_MINUTES_MAX,
        _("A contact lasts between %(low)s and %(high)s minutes."),
        "call_minutes",
    )


def check_call_started(started_at: dt.datetime | None, *, now: dt.datetime | None = None) -> None:
    """A call has already started, at most CALL_BACKFILL ago."""
    if started_at is None:
        return
    now = now or timezone.now()
    if started_at > now + CLOCK_SKEW:
        raise ValidationError(
            _("A contact can't start in the future. Check the date and time."), code="future"
        )
    if started_at < now - CALL_BACKFILL:
        raise ValidationError(
            _("Contacts can be logged up to %(days)s days afterwards. Check the date."),
            code="too_far_past",
            params={"days": CALL_BACKFILL.days},
        )


# --- certification -----------------------------------------------------------------------


def check_completed_on(day: dt.date | None, *, now: dt.datetime | None = None) -> None:
    """A training or issue date: not in the future, not before CREDENTIAL_EARLIEST."""
    if day is None:
        return
    if day > local_today(now):
        raise ValidationError(
            _("This date is in the future. Enter the date it happened."), code="future"
        )
    if day < CREDENTIAL_EARLIEST:
        raise ValidationError(
            _("Dates before %(year)s can't count toward a credential. Check the year."),
            code="too_early",
            params={"year": CREDENTIAL_EARLIEST.year},
        )


def validate_training_hours(value) -> None:
    _between(
        value,
        TRAINING_HOURS_MIN,
        TRAINING_HOURS_MAX,
        _("One record can claim between %(low)s and %(high)s hours."),
        "training_hours",
    )


def validate_supervision_hours(value) -> None:
    _between(
        value,
        SUPERVISION_HOURS_MIN,
        SUPERVISION_HOURS_MAX,
        _("A supervision session lasts between %(low)s and %(high)s hours."),
        "supervision_hours",
    )


def check_supervision_date(day: dt.date | None, *, now: dt.datetime | None = None) -> None:
    if day is None:
        return
    today = local_today(now)
    if day > today:
        raise ValidationError(
            _("Supervision is logged after it happens; this date is in the future."),
            code="future",
        )
    if day < today - SUPERVISION_BACKFILL:
        raise ValidationError(
            _("Supervision can be logged up to a year afterwards. Check the year."),
            code="too_far_past",
        )


def check_certificate_dates(issued_on: dt.date | None, expires_on: dt.date | None) -> None:
    """Expiry after issue, at most CERTIFICATE_MAX_VALIDITY later."""
    if issued_on is None or expires_on is None:
        return
    if expires_on <= issued_on:
        raise ValidationError(
            _("The expiry date must be after the issue date."), code="expires_before_issue"
        )
    if expires_on - issued_on > CERTIFICATE_MAX_VALIDITY:
        raise ValidationError(
            _("An expiry more than ten years after issue is not likely. Check the year."),
            code="too_long",
        )


# --- reminders ---------------------------------------------------------------------------


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


# --- locations ---------------------------------------------------------------------------


def check_opening_hours(rows) -> None:
    """``rows`` of (weekday, opens, closes): each closes after it opens, blocks of one day
    don't overlap, at most OPENING_BLOCKS_PER_DAY_MAX blocks a day."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in rows:
        if closes <= opens:
            raise ValidationError(
                _("Closing time must be after opening time."), code="closes_before_opens"
            )
        by_day.setdefault(weekday, []).append((opens, closes))
    for blocks in by_day.values():
        if len(blocks) > OPENING_BLOCKS_PER_DAY_MAX:
            raise ValidationError(
                _("A day can have at most %(high)s blocks of opening hours."),
                code="too_many_blocks",
                params={"high": OPENING_BLOCKS_PER_DAY_MAX},
            )
        blocks.sort()
        for (_opens, closes), (next_opens, _closes) in zip(blocks, blocks[1:], strict=False):
            if next_opens < closes:
                raise ValidationError(
                    _("Opening hours on the same day overlap. Join them into one block."),
                    code="overlap",
                )
