"""Date rules of a group's schedule, shared by the form (as field errors) and the service."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerportal.core.recurrence import Schedule, occurrence_dates

from .models import (
    FIRST_DATE_FUTURE_DAYS,
    FIRST_DATE_PAST_DAYS,
    LAST_DATE_FUTURE_DAYS,
    SKIPPED_DATES_MAX,
)


def first_date_error(first: dt.date, *, today: dt.date, previous: dt.date | None):
    """A new (or changed) first date: from a few weeks ago to two years ahead. An existing
    group keeps the first date it has, however long ago it started."""
    if previous is not None and first == previous:
        return None
    if first < today - dt.timedelta(days=FIRST_DATE_PAST_DAYS):
        return _("The first date can be at most %(n)d days ago.") % {"n": FIRST_DATE_PAST_DAYS}
    if first > today + dt.timedelta(days=FIRST_DATE_FUTURE_DAYS):
        return _("The first date can be at most two years ahead.")
    return None


def last_date_error(first: dt.date, until: dt.date | None, *, today: dt.date):
    """Bounds of the last date (the model's clean refuses one before the first date)."""
    if until is None or until < first:
        return None
    if until > today + dt.timedelta(days=LAST_DATE_FUTURE_DAYS):
        return _("The last date can be at most three years ahead.")
    return None


def skipped_dates_error(
    schedule: Schedule, skipped: list[dt.date], *, first: dt.date, until: dt.date | None
):
    """Each skipped date must be a date the schedule would meet on."""
    if len(skipped) > SKIPPED_DATES_MAX:
        return _("At most %(n)d skipped dates.") % {"n": SKIPPED_DATES_MAX}
    if not skipped:
        return None
    meets = set(
        occurrence_dates(
            schedule,
            first_date=first,
            from_date=min(skipped),
            last_date=max(skipped),
            until=until,
        )
    )
    wrong = [d for d in sorted(set(skipped)) if d not in meets]
    if wrong:
        return _("The group doesn't meet on %(dates)s, so it can't be skipped.") % {
            "dates": ", ".join(date_format(d, "j M Y") for d in wrong)
        }
    return None


def schedule_dates_error(group, *, today: dt.date, previous=None):
    """The first error of a group's dates, or None (the service's check)."""
    return (
        first_date_error(
            group.first_date, today=today, previous=previous.first_date if previous else None
        )
        or last_date_error(group.first_date, group.until, today=today)
        or skipped_dates_error(
            group.schedule, group.skipped, first=group.first_date, until=group.until
        )
    )
