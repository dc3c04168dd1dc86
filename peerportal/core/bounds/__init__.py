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

from .calls import (
    CALL_BACKFILL,
    CALL_MINUTES_MAX,
    CALL_MINUTES_MIN,
    CLOCK_SKEW,
    check_call_started,
    validate_call_minutes,
)
from .certification import (
    CERTIFICATE_MAX_VALIDITY,
    CREDENTIAL_EARLIEST,
    SUPERVISION_BACKFILL,
    SUPERVISION_HOURS_MAX,
    SUPERVISION_HOURS_MIN,
    TRAINING_HOURS_MAX,
    TRAINING_HOURS_MIN,
    check_certificate_dates,
    check_completed_on,
    check_supervision_date,
    validate_supervision_hours,
    validate_training_hours,
)
from .checking import (
    Checks,
    enforced,
    form_check,
    local_today,
)
from .counts import (
    ATTENDANCE_MAX,
    EVENT_CAPACITY_MAX,
    GAP_ALERT_DAYS_MAX,
    RELEASE_CUTOFF_HOURS_MAX,
    SHIFT_STAFF_MAX,
    VISIT_TALLY_BACKFILL,
    WEEKLY_HOURS_MAX,
    check_tally_day,
    validate_attendance,
    validate_event_capacity,
    validate_gap_alert_days,
    validate_horizon_weeks,
    validate_release_cutoff,
    validate_shift_staff,
    validate_weekly_hours,
)
from .locations import (
    OPENING_BLOCKS_PER_DAY_MAX,
    check_opening_hours,
)
from .reminders import (
    QUIET_HOURS_MAX,
    REMINDER_OFFSET_MAX_MINUTES,
    check_quiet_hours,
)
from .scheduling import (
    EVENT_MAX_DURATION,
    RECURRENCE_FREQUENCIES,
    RECURRENCE_MAX_COUNT,
    RECURRENCE_MAX_INTERVAL,
    SCHEDULE_BACKFILL,
    SCHEDULE_MAX_AHEAD,
    SERIES_ANCHOR_BACKFILL,
    SHIFT_HORIZON_WEEKS_MAX,
    SHIFT_MAX_DURATION,
    check_date_window,
    check_ends_after_starts,
    check_recurrence,
    check_schedule_window,
    check_series_until,
)

__all__ = (
    "ATTENDANCE_MAX",
    "CALL_BACKFILL",
    "CALL_MINUTES_MAX",
    "CALL_MINUTES_MIN",
    "CERTIFICATE_MAX_VALIDITY",
    "CLOCK_SKEW",
    "CREDENTIAL_EARLIEST",
    "EVENT_CAPACITY_MAX",
    "EVENT_MAX_DURATION",
    "GAP_ALERT_DAYS_MAX",
    "OPENING_BLOCKS_PER_DAY_MAX",
    "QUIET_HOURS_MAX",
    "RECURRENCE_FREQUENCIES",
    "RECURRENCE_MAX_COUNT",
    "RECURRENCE_MAX_INTERVAL",
    "RELEASE_CUTOFF_HOURS_MAX",
    "REMINDER_OFFSET_MAX_MINUTES",
    "SCHEDULE_BACKFILL",
    "SCHEDULE_MAX_AHEAD",
    "SERIES_ANCHOR_BACKFILL",
    "SHIFT_HORIZON_WEEKS_MAX",
    "SHIFT_MAX_DURATION",
    "SHIFT_STAFF_MAX",
    "SUPERVISION_BACKFILL",
    "SUPERVISION_HOURS_MAX",
    "SUPERVISION_HOURS_MIN",
    "TRAINING_HOURS_MAX",
    "TRAINING_HOURS_MIN",
    "VISIT_TALLY_BACKFILL",
    "WEEKLY_HOURS_MAX",
    "Checks",
    "check_call_started",
    "check_certificate_dates",
    "check_completed_on",
    "check_date_window",
    "check_ends_after_starts",
    "check_opening_hours",
    "check_quiet_hours",
    "check_recurrence",
    "check_schedule_window",
    "check_series_until",
    "check_supervision_date",
    "check_tally_day",
    "enforced",
    "form_check",
    "local_today",
    "validate_attendance",
    "validate_call_minutes",
    "validate_event_capacity",
    "validate_gap_alert_days",
    "validate_horizon_weeks",
    "validate_release_cutoff",
    "validate_shift_staff",
    "validate_supervision_hours",
    "validate_training_hours",
    "validate_weekly_hours",
)
