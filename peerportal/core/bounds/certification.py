"""Bounds of certification: training and issue dates, hours, supervision, certificate expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .checking import _between, local_today

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
