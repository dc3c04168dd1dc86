"""Bounds of the warm-line call log: a contact's length and when it started."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .checking import _between

#: A contact lasts 1 to 240 minutes. 0 minutes is no contact; more than four hours on one
#: call is a typo (and far beyond the line's own guidance for a warm-line conversation).
CALL_MINUTES_MIN = 1
CALL_MINUTES_MAX = 240

#: Calls are logged during or right after a shift. A week covers a forgotten entry; an older
#: date (1900, field report M1) is a mistake, and the numbers feed monthly reports.
CALL_BACKFILL = dt.timedelta(days=7)

#: Allowance for clocks: a form opened at 14:02 that says "started 14:03" is not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)


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
