"""Who is on a shift: eligibility, sign-up, assignment, release and coverage-gap alerts."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.certification.qualification import why_not_qualified
from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.permissions import is_coordinator
from peerportal.reminders.services import (
    reminder_schedule,
    reminders_cancel_for,
    reminders_schedule_before,
)

from .. import eligibility, exceptions
from ..models import Shift, ShiftAssignment, WarmLine
from ..permissions import can_work_on
from ..selectors import my_shifts_between
from .kinds import KIND_GAP, KIND_SHIFT_UPCOMING


def check_eligibility(*, person, shift: Shift) -> None:
    """Why ``person`` may not take ``shift`` (raises), checked in the service, with reasons.

    The rules live in ``eligibility.refusal``, which the board also uses to show the
    reason before anyone clicks.
    """
    is_member = can_work_on(person, shift.line)
    reason = None
    if is_member and shift.required_qualification:
        reason = why_not_qualified(
            person=person, code=shift.required_qualification, at=shift.starts_at
        )
    error = eligibility.refusal(
        shift=shift,
        is_member=is_member,
        qualification_reason=reason,
        my_shifts=[
            s for s in my_shifts_between(person, shift.starts_at, shift.ends_at) if s.pk != shift.pk
        ],
        tz=Organization.get().tzinfo,
    )
    if error is not None:
        raise error


def shift_sign_up(*, shift: Shift, person, actor=None, request=None) -> ShiftAssignment:
    """Take a slot on a shift: lock the shift row, check, count, insert (a slot constraint backs it)."""
    actor = actor or person
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("line").get(pk=shift.pk)
        if ShiftAssignment.objects.filter(shift=shift, person=person, is_active=True).exists():
            raise exceptions.WarmLineError(_("You are already on this shift."))
        check_eligibility(person=person, shift=shift)
        taken = set(shift.assignments.filter(is_active=True).values_list("slot", flat=True))
        slot = next((n for n in range(1, shift.max_staff + 1) if n not in taken), None)
        if slot is None:
            raise exceptions.ShiftFull
        try:
            with transaction.atomic():
                assignment = ShiftAssignment.objects.create(shift=shift, person=person, slot=slot)
        except IntegrityError as exc:
            raise exceptions.ShiftFull from exc
        reminders_schedule_before(
            kind=KIND_SHIFT_UPCOMING, target=assignment, recipient=person, starts_at=shift.starts_at
        )
        audit_record(
            actor=actor,
            action="shift.sign_up" if actor == person else "shift.assign",
            obj=assignment,
            request=request,
        )
    return assignment


def shift_assign(*, coordinator, shift: Shift, person, request=None) -> ShiftAssignment:
    if not is_coordinator(coordinator):
        raise exceptions.WarmLineError(_("Only coordinators assign shifts."))
    return shift_sign_up(shift=shift, person=person, actor=coordinator, request=request)


def shift_release(*, assignment: ShiftAssignment, actor, now=None, request=None) -> ShiftAssignment:
    now = now or timezone.now()
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("line").get(pk=assignment.shift_id)
        assignment = ShiftAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not assignment.is_active:
            return assignment
        if assignment.person_id != actor.pk and not is_coordinator(actor):
            raise exceptions.WarmLineError(
                _("Only the person on the shift or a coordinator can release it.")
            )
        if not is_coordinator(actor) and now > shift.starts_at - dt.timedelta(
            hours=shift.line.release_cutoff_hours
        ):
            raise exceptions.ReleaseTooLate
        assignment.is_active, assignment.slot = False, None
        assignment.save(update_fields=["is_active", "slot"])
        reminders_cancel_for(target=assignment)
        audit_record(actor=actor, action="shift.release", obj=assignment, request=request)
    return assignment


def assignments_release_for_erased_user(user) -> None:
    for a in ShiftAssignment.objects.filter(
        person=user, is_active=True, shift__starts_at__gt=timezone.now()
    ):
        a.is_active, a.slot = False, None
        a.save(update_fields=["is_active", "slot"])
        reminders_cancel_for(target=a)


def coverage_gaps_alert(*, now=None) -> int:
    """Tell coordinators about shifts within N days that are short; once per shift per day."""
    from peerportal.accounts.models import User

    now = now or timezone.now()
    tz = Organization.get().tzinfo
    day = timezone.localtime(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    coordinators = list(User.objects.filter(role="coordinator", is_active=True))
    alerts = 0
    for line in WarmLine.objects.filter(is_active=True):
        shifts = Shift.objects.filter(
            line=line, starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=line.gap_alert_days)
        ).with_coverage()
        for shift in shifts:
            if shift.staffed < shift.min_staff:
                for coordinator in coordinators:
                    reminder_schedule(
                        kind=KIND_GAP, target=shift, recipient=coordinator, due_at=day
                    )
                alerts += 1
    return alerts
