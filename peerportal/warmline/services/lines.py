"""Coordinator setup: warm lines and shift patterns saved, one shift moved, with their bounds."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core import bounds
from peerportal.core.audit import audit_record
from peerportal.reminders.services import reminders_reschedule_for

from .. import exceptions
from ..models import Shift, ShiftPattern, WarmLine
from ..permissions import can_manage_lines
from .kinds import KIND_SHIFT_UPCOMING
from .patterns import shift_pattern_check_bounds, shifts_generate


def warm_line_check_bounds(
    *, max_hours_per_week=None, release_cutoff_hours=None, gap_alert_days=None
) -> None:
    checks = bounds.Checks()
    checks.run("max_hours_per_week", bounds.validate_weekly_hours, max_hours_per_week)
    checks.run("release_cutoff_hours", bounds.validate_release_cutoff, release_cutoff_hours)
    checks.run("gap_alert_days", bounds.validate_gap_alert_days, gap_alert_days)
    checks.raise_any()


def shift_check_bounds(
    *,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    previous_start: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A shift moved by a coordinator: not into the past (everyone on it is told the new
    time), at most two years ahead, ends after it starts, at most 16 hours long."""
    checks = bounds.Checks()
    if starts_at is not None and starts_at != previous_start:
        checks.run("starts_at", bounds.check_schedule_window, starts_at, now=now)
    checks.run(
        "ends_at",
        bounds.check_ends_after_starts,
        starts_at,
        ends_at,
        max_duration=bounds.SHIFT_MAX_DURATION,
    )
    checks.raise_any()


def _require_manager(actor) -> None:
    if not can_manage_lines(actor):
        raise exceptions.WarmLineError(_("Only coordinators set up warm lines."))


def warm_line_save(*, actor, line: WarmLine, members=None, request=None) -> WarmLine:
    """Create or update a line (a ModelForm's unsaved instance) and its program members."""
    _require_manager(actor)
    with bounds.enforced(exceptions.WarmLineError):
        warm_line_check_bounds(
            max_hours_per_week=line.max_hours_per_week,
            release_cutoff_hours=line.release_cutoff_hours,
            gap_alert_days=line.gap_alert_days,
        )
    created = line.pk is None
    with transaction.atomic():
        line.save()
        if members is not None:
            line.members.set(members)
        audit_record(
            actor=actor,
            action="warmline.create" if created else "warmline.update",
            obj=line,
            request=request,
        )
    return line


def shift_pattern_save(*, actor, pattern: ShiftPattern, request=None) -> ShiftPattern:
    """Create or update a pattern and extend its shifts over the horizon.

    Shifts already generated keep their times (people signed up for them); future shifts
    nobody has taken yet follow the pattern's new staffing and qualification.
    """
    _require_manager(actor)
    created = pattern.pk is None
    previous_first_date = (
        None
        if created
        else ShiftPattern.objects.filter(pk=pattern.pk).values_list("first_date", flat=True)[0]
    )
    with bounds.enforced(exceptions.WarmLineError):
        shift_pattern_check_bounds(
            rrule=pattern.rrule,
            first_date=pattern.first_date,
            start_time=pattern.start_time,
            end_time=pattern.end_time,
            min_staff=pattern.min_staff,
            max_staff=pattern.max_staff,
            horizon_weeks=pattern.horizon_weeks,
            previous_first_date=previous_first_date,
        )
    with transaction.atomic():
        pattern.save()
        if not created:
            Shift.objects.filter(pattern=pattern, starts_at__gt=timezone.now()).update(
                min_staff=pattern.min_staff,
                max_staff=pattern.max_staff,
                required_qualification=pattern.required_qualification,
            )
        if pattern.is_active and pattern.line.is_active:
            shifts_generate(pattern=pattern)
        audit_record(
            actor=actor,
            action="shift_pattern.create" if created else "shift_pattern.update",
            obj=pattern,
            request=request,
        )
    return pattern


def shift_update(
    *, actor, shift: Shift, starts_at: dt.datetime, ends_at: dt.datetime, request=None
) -> Shift:
    """A coordinator moves one shift; the reminders of everyone on it move with it."""
    _require_manager(actor)
    with transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        with bounds.enforced(exceptions.WarmLineError):
            shift_check_bounds(starts_at=starts_at, ends_at=ends_at, previous_start=shift.starts_at)
        shift.starts_at, shift.ends_at = starts_at, ends_at
        shift.save(update_fields=["starts_at", "ends_at"])
        for assignment in shift.assignments.filter(is_active=True).select_related("person"):
            reminders_reschedule_for(
                kind=KIND_SHIFT_UPCOMING,
                target=assignment,
                recipient=assignment.person,
                starts_at=starts_at,
            )
        audit_record(actor=actor, action="shift.update", obj=shift, request=request)
    return shift
