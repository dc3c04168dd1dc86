"""Shifts from patterns, sign-up rules, releases, assignments and the call log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.certification.qualification import why_not_qualified
from peerportal.core import bounds
from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.permissions import is_coordinator
from peerportal.core.recurrence import expand
from peerportal.reminders.services import (
    notify,
    reminder_schedule,
    reminders_cancel_for,
    reminders_reschedule_for,
    reminders_schedule_before,
)

from . import eligibility, exceptions
from .models import CallRecord, Shift, ShiftAssignment, ShiftPattern, SwapRequest, WarmLine
from .permissions import can_decide_swap, can_manage_lines, can_work_on
from .selectors import my_shifts_between

KIND_SHIFT_UPCOMING = "shift_upcoming"
KIND_SWAP = "swap_update"
KIND_GAP = "coverage_gap"


def call_edit_window() -> dt.timedelta:
    """How long an author may correct a call record (setting CALL_RECORD_EDIT_MINUTES, 30)."""
    return dt.timedelta(minutes=getattr(settings, "CALL_RECORD_EDIT_MINUTES", 30))


# --- bounds (core.bounds), shared by the forms and the services below ---------------------


def call_record_check_bounds(
    *,
    started_at: dt.datetime | None,
    duration_minutes: int | None,
    previous_start: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A contact lasts 1–240 minutes and has already happened, at most a week ago (an
    unchanged start of a record being corrected is not checked again)."""
    checks = bounds.Checks()
    if started_at is not None and started_at != previous_start:
        checks.run("started_at", bounds.check_call_started, started_at, now=now)
    checks.run("duration_minutes", bounds.validate_call_minutes, duration_minutes)
    checks.raise_any()


def warm_line_check_bounds(
    *, max_hours_per_week=None, release_cutoff_hours=None, gap_alert_days=None
) -> None:
    checks = bounds.Checks()
    checks.run("max_hours_per_week", bounds.validate_weekly_hours, max_hours_per_week)
    checks.run("release_cutoff_hours", bounds.validate_release_cutoff, release_cutoff_hours)
    checks.run("gap_alert_days", bounds.validate_gap_alert_days, gap_alert_days)
    checks.raise_any()


def _pattern_length(start: dt.time, end: dt.time) -> dt.timedelta:
    day = dt.date(2000, 1, 3)
    span = dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
    return span if span > dt.timedelta(0) else span + dt.timedelta(days=1)


def shift_pattern_check_bounds(
    *,
    rrule: str | None,
    first_date: dt.date | None,
    start_time: dt.time | None,
    end_time: dt.time | None,
    min_staff: int | None,
    max_staff: int | None,
    horizon_weeks: int | None,
    previous_first_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A bounded rule; a first date inside the schedule window (a year back at most, as for
    drop-in series: it only anchors the rhythm); 1–20 staff with max ≥ min; a horizon of
    1–26 weeks; a shift of at most 16 hours (an end earlier than the start is overnight)."""
    checks = bounds.Checks()
    if rrule is not None:
        checks.run("rrule", bounds.check_recurrence, rrule)
    if first_date is not None and first_date != previous_first_date:
        checks.run(
            "first_date",
            bounds.check_date_window,
            first_date,
            now=now,
            backfill=True,
            backfill_by=bounds.SERIES_ANCHOR_BACKFILL,
        )
    if start_time is not None and end_time is not None:
        if start_time == end_time:
            checks.add("end_time", _("A shift must end at a different time."))
        elif _pattern_length(start_time, end_time) > bounds.SHIFT_MAX_DURATION:
            checks.run(
                "end_time",
                bounds.check_ends_after_starts,
                dt.timedelta(0),
                _pattern_length(start_time, end_time),
                max_duration=bounds.SHIFT_MAX_DURATION,
            )
    checks.run("min_staff", bounds.validate_shift_staff, min_staff)
    checks.run("max_staff", bounds.validate_shift_staff, max_staff)
    if min_staff is not None and max_staff is not None and max_staff < min_staff:
        checks.add("max_staff", _("The maximum cannot be below the minimum."))
    checks.run("horizon_weeks", bounds.validate_horizon_weeks, horizon_weeks)
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


def shift_for(pattern: ShiftPattern, occurrence) -> Shift:
    """An unsaved shift for one occurrence of a pattern, with the pattern's staffing rules."""
    return Shift(
        line=pattern.line,
        pattern=pattern,
        starts_at=occurrence.start,
        ends_at=occurrence.end,
        min_staff=pattern.min_staff,
        max_staff=pattern.max_staff,
        required_qualification=pattern.required_qualification,
    )


def shifts_generate(*, pattern: ShiftPattern, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    occurrences = expand(
        pattern.rrule,
        first_date=pattern.first_date,
        start_time=pattern.start_time,
        end_time=pattern.end_time,
        tz=Organization.get().tzinfo,
        window_start=now,
        window_end=now + dt.timedelta(weeks=pattern.horizon_weeks),
    )
    existing = set(pattern.shifts.filter(starts_at__gte=now).values_list("starts_at", flat=True))
    new = [shift_for(pattern, o) for o in occurrences if o.start not in existing]
    Shift.objects.bulk_create(new, ignore_conflicts=True)  # the unique constraint covers a race
    return len(new)


def shifts_generate_all(*, now=None) -> int:
    return sum(
        shifts_generate(pattern=p, now=now)
        for p in ShiftPattern.objects.filter(is_active=True, line__is_active=True)
    )


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


def call_record_create(
    *, author, line, topics=(), referrals=(), request=None, **fields
) -> CallRecord:
    with bounds.enforced(exceptions.WarmLineError):
        call_record_check_bounds(
            started_at=fields.get("started_at"), duration_minutes=fields.get("duration_minutes")
        )
    with transaction.atomic():
        shift = Shift.objects.filter(
            line=line,
            assignments__person=author,
            assignments__is_active=True,
            starts_at__lte=fields["started_at"],
            ends_at__gte=fields["started_at"],
        ).first()
        record = CallRecord.objects.create(author=author, line=line, shift=shift, **fields)
        record.topics.set(topics)
        record.referrals.set(referrals)
        audit_record(actor=author, action="call_record.create", obj=record, request=request)
    return record


def call_record_update(
    *, author, record: CallRecord, topics=None, referrals=None, now=None, request=None, **fields
) -> CallRecord:
    now = now or timezone.now()
    with transaction.atomic():
        record = CallRecord.objects.select_for_update().get(pk=record.pk)
        if record.author_id != author.pk or now > record.created_at + call_edit_window():
            raise exceptions.EditWindowClosed
        previous_start = record.started_at
        for name, value in fields.items():
            setattr(record, name, value)
        with bounds.enforced(exceptions.WarmLineError):
            call_record_check_bounds(
                started_at=record.started_at,
                duration_minutes=record.duration_minutes,
                previous_start=previous_start,
                now=now,
            )
        record.save()
        if topics is not None:
            record.topics.set(topics)
        if referrals is not None:
            record.referrals.set(referrals)
        audit_record(actor=author, action="call_record.update", obj=record, request=request)
    return record


def assignments_release_for_erased_user(user) -> None:
    for a in ShiftAssignment.objects.filter(
        person=user, is_active=True, shift__starts_at__gt=timezone.now()
    ):
        a.is_active, a.slot = False, None
        a.save(update_fields=["is_active", "slot"])
        reminders_cancel_for(target=a)


def swap_offer(*, assignment: ShiftAssignment, actor, request=None) -> SwapRequest:
    """The assigned person asks colleagues to cover; they keep the shift until someone does."""
    with transaction.atomic():
        assignment = (
            ShiftAssignment.objects.select_for_update()
            .select_related("shift")
            .get(pk=assignment.pk)
        )
        if (
            assignment.person_id != actor.pk
            or not assignment.is_active
            or assignment.shift.starts_at <= timezone.now()
        ):
            raise exceptions.SwapNotOpen
        swap = SwapRequest.objects.filter(
            assignment=assignment, status__in=["open", "taken"]
        ).first()
        if swap is None:
            swap = SwapRequest.objects.create(assignment=assignment)
            audit_record(actor=actor, action="swap.offer", obj=swap, request=request)
    return swap


def swap_cancel(*, swap: SwapRequest, actor, request=None) -> SwapRequest:
    """The offering person withdraws an offer that is not approved yet."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__shift__line", "taker")
            .get(pk=swap.pk)
        )
        if swap.assignment.person_id != actor.pk or swap.status not in ("open", "taken"):
            raise exceptions.SwapNotOpen
        swap.status = "cancelled"
        swap.save(update_fields=["status"])
        audit_record(actor=actor, action="swap.cancel", obj=swap, request=request)
        if swap.taker_id:
            notify(kind=KIND_SWAP, target=swap, recipient=swap.taker)
    return swap


def swap_take(*, swap: SwapRequest, taker, request=None) -> SwapRequest:
    """A colleague takes the shift: the same checks as signing up. Approval may follow."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__shift__line", "assignment__person__supervisor")
            .get(pk=swap.pk)
        )
        if swap.status != "open" or swap.assignment.person_id == taker.pk:
            raise exceptions.SwapNotOpen
        shift = (
            Shift.objects.select_for_update()
            .select_related("line")
            .get(pk=swap.assignment.shift_id)
        )
        if shift.starts_at <= timezone.now():
            raise exceptions.SwapNotOpen
        if ShiftAssignment.objects.filter(shift=shift, person=taker, is_active=True).exists():
            raise exceptions.WarmLineError(_("You are already on this shift."))
        check_eligibility(person=taker, shift=shift)
        swap.taker = taker
        swap.status = "taken"
        swap.save(update_fields=["taker", "status"])
        audit_record(actor=taker, action="swap.take", obj=swap, request=request)
        if not shift.line.swaps_need_approval:
            return _swap_complete(swap=swap, decider=None, request=request)
        notify(kind=KIND_SWAP, target=swap, recipient=swap.assignment.person)
        notify(kind=KIND_SWAP, target=swap, recipient=taker)
        if swap.assignment.person.supervisor_id:
            notify(kind=KIND_SWAP, target=swap, recipient=swap.assignment.person.supervisor)
    return swap


def swap_decide(*, swap: SwapRequest, supervisor, approve: bool, request=None) -> SwapRequest:
    """The offering person's supervisor (or a coordinator) approves or declines a taken swap."""
    with transaction.atomic():
        swap = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("assignment__person", "taker")
            .get(pk=swap.pk)
        )
        if swap.status != "taken":
            raise exceptions.SwapNotOpen
        if not can_decide_swap(supervisor, swap):
            raise exceptions.WarmLineError(
                _("Only the staff member's supervisor can decide this swap.")
            )
        if not approve:
            swap.status, swap.decided_by = "declined", supervisor
            swap.save(update_fields=["status", "decided_by"])
            audit_record(actor=supervisor, action="swap.decline", obj=swap, request=request)
            for person in (swap.assignment.person, swap.taker):
                notify(kind=KIND_SWAP, target=swap, recipient=person)
            return swap
        return _swap_complete(swap=swap, decider=supervisor, request=request)


def _swap_complete(*, swap: SwapRequest, decider, request=None) -> SwapRequest:
    """Inside a transaction: the offered assignment ends and the taker's begins, in the same slot."""
    shift = (
        Shift.objects.select_for_update().select_related("line").get(pk=swap.assignment.shift_id)
    )
    old = ShiftAssignment.objects.select_for_update().get(pk=swap.assignment_id)
    if not old.is_active:
        raise exceptions.SwapNotOpen
    check_eligibility(person=swap.taker, shift=shift)  # again: things may have changed
    slot = old.slot
    old.is_active, old.slot = False, None
    old.save(update_fields=["is_active", "slot"])
    reminders_cancel_for(target=old)
    new = ShiftAssignment.objects.create(shift=shift, person=swap.taker, slot=slot)
    reminders_schedule_before(
        kind=KIND_SHIFT_UPCOMING, target=new, recipient=swap.taker, starts_at=shift.starts_at
    )
    swap.status, swap.decided_by = "approved", decider
    swap.save(update_fields=["status", "decided_by"])
    audit_record(actor=decider or swap.taker, action="swap.approve", obj=swap, request=request)
    for person in (old.person, swap.taker):
        notify(kind=KIND_SWAP, target=swap, recipient=person)
    return swap


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
