"""Groups and their coming sessions: save, reschedule, archive, delete; move or cancel one."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.reminders.services import notify, reminders_cancel_for, reminders_reschedule_for

from .. import exceptions, waitlist
from ..models import (
    FIRST_DATE_FUTURE_DAYS,
    SESSION_MAX,
    SESSION_MIN,
    Booking,
    BookingStatus,
    GroupSession,
    SessionStatus,
    SupportGroup,
)
from ..planning import SchedulePlan, schedule_plan
from ..validation import schedule_dates_error
from .generation import group_sessions_generate
from .kinds import KIND_SESSION_CANCELLED, KIND_SESSION_MOVED, KIND_UPCOMING


def _check_group(group: SupportGroup, *, today: dt.date, previous: SupportGroup | None) -> None:
    """The service's own bounds (the form shows the same ones as field errors)."""
    from django.core.exceptions import ValidationError

    try:
        group.full_clean(exclude=["topics", "facilitators"])
    except ValidationError as exc:
        raise exceptions.InvalidGroup(
            "; ".join(str(m) for messages in exc.message_dict.values() for m in messages)
        ) from exc
    message = schedule_dates_error(group, today=today, previous=previous)
    if message:
        raise exceptions.InvalidGroup(message)


def _lock_group(pk: int, *, now: dt.datetime) -> SupportGroup:
    """Lock a group's future sessions, then the group itself.

    The order matters: ``booking_create`` locks a session and then (through its join) the
    group. Taking the sessions first here means a schedule edit and a booking wait for
    each other instead of deadlocking (a PostgreSQL race test proves it).
    """
    list(
        GroupSession.objects.select_for_update()
        .filter(group_id=pk, starts_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return SupportGroup.objects.select_for_update().get(pk=pk)


def group_save(
    *,
    actor,
    group: SupportGroup,
    topics=None,
    facilitators=None,
    now: dt.datetime | None = None,
    expected_plan: str | None = None,
    request=None,
) -> SchedulePlan:
    """Create or update a group (form-validated), bring its future sessions in line with
    its schedule (``group_schedule_update``), then top them up. Returns what happened.

    ``expected_plan`` is the fingerprint the coordinator confirmed; when the sessions
    changed since (a booking came in), ``PlanChanged`` asks them to look again.
    """
    now = now or timezone.now()
    tz = Organization.get().tzinfo
    with transaction.atomic():
        creating = group.pk is None
        previous = None
        if not creating:
            # Two coordinators saving at once apply one plan after the other.
            previous = _lock_group(group.pk, now=now)
        _check_group(group, today=timezone.localdate(now, tz), previous=previous)
        group.save()
        if topics is not None:
            group.topics.set(topics)
        if facilitators is not None:
            group.facilitators.set(facilitators)
        plan = group_schedule_update(
            actor=actor, group=group, now=now, expected_plan=expected_plan, request=request
        )
        audit_record(
            actor=actor,
            action="group.create" if creating else "group.update",
            obj=group,
            request=request,
            extra={
                "moved": len(plan.visible_moves),
                "cancelled": len(plan.cancels),
                "removed": len(plan.removals),
                "created": len(plan.creates),
            },
        )
    return plan


def group_schedule_update(
    *,
    actor,
    group: SupportGroup,
    now: dt.datetime | None = None,
    expected_plan: str | None = None,
    request=None,
) -> SchedulePlan:
    """Apply ``planning.schedule_plan`` to a saved group, inside the caller's transaction
    with the group row locked: move, cancel (members told) or remove future sessions, then
    generate the new ones. Past sessions are never touched."""
    now = now or timezone.now()
    plan = schedule_plan(group=group, tz=Organization.get().tzinfo, now=now)
    if expected_plan is not None and plan.fingerprint() != expected_plan:
        raise exceptions.PlanChanged
    _apply_plan(actor=actor, plan=plan, request=request)
    # Generation matches by local date like the plan, so it adds exactly ``plan.creates``.
    group_sessions_generate(group=group, now=now)
    return plan


def _apply_plan(*, actor, plan: SchedulePlan, request=None) -> None:
    sessions = GroupSession.objects.select_for_update().in_bulk(
        [m.session_id for m in plan.moves] + [d.session_id for d in plan.cancels + plan.removals]
    )
    # Free each moved session's occurrence first: two swapped times never collide.
    for move in plan.moves:
        session = sessions[move.session_id]
        session.occurrence_start = move.occurrence_start + dt.timedelta(days=36500)
        session.save(update_fields=["occurrence_start"])
    for move in plan.moves:
        session = sessions[move.session_id]
        session.occurrence_start = move.occurrence_start
        session.starts_at, session.ends_at = move.starts_at, move.ends_at
        session.save(update_fields=["occurrence_start", "starts_at", "ends_at"])
        if not move.silent:
            _tell_moved(session)
    for drop in plan.cancels:
        _cancel(actor=actor, session=sessions[drop.session_id], notice="", request=request)
    GroupSession.objects.filter(
        pk__in=[d.session_id for d in plan.removals], bookings__isnull=True
    ).delete()
    # Sessions whose bookings were all cancelled long ago keep their history: cancel them.
    for leftover in GroupSession.objects.filter(pk__in=[d.session_id for d in plan.removals]):
        _cancel(actor=actor, session=leftover, notice="", request=request)


def _tell_moved(session: GroupSession) -> None:
    for booking in session.bookings.active().select_related("member"):
        if booking.status == BookingStatus.CONFIRMED:
            reminders_reschedule_for(
                kind=KIND_UPCOMING,
                target=booking,
                recipient=booking.member,
                starts_at=session.starts_at,
            )
        notify(kind=KIND_SESSION_MOVED, target=booking, recipient=booking.member)


def _cancel(*, actor, session: GroupSession, notice: str, request=None) -> None:
    session.status = SessionStatus.CANCELLED
    session.notice = notice
    session.save(update_fields=["status", "notice"])
    waitlist.offers_withdraw_for_session(session=session, now=timezone.now())
    for booking in session.bookings.active().select_related("member"):
        reminders_cancel_for(target=booking)
        notify(kind=KIND_SESSION_CANCELLED, target=booking, recipient=booking.member)
    audit_record(actor=actor, action="session.cancel", obj=session, request=request)


def group_archive(
    *, actor, group: SupportGroup, now: dt.datetime | None = None, request=None
) -> SchedulePlan:
    """End a group: it leaves the directory and gets no new sessions; future sessions
    nobody booked are removed, booked ones cancelled with the members told."""
    now = now or timezone.now()
    with transaction.atomic():
        group = _lock_group(group.pk, now=now)
        if group.is_archived:
            raise exceptions.GroupsError(_("This group is already archived."))
        plan = schedule_plan(
            group=group, tz=Organization.get().tzinfo, now=now, keep_schedule=False
        )
        group.archived_at = now
        group.save(update_fields=["archived_at"])
        _apply_plan(actor=actor, plan=plan, request=request)
        audit_record(actor=actor, action="group.archive", obj=group, request=request)
    return plan


def group_delete(*, actor, group: SupportGroup, request=None) -> None:
    """Delete a group that never had a booking (otherwise archive it: bookings are history)."""
    with transaction.atomic():
        group = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if Booking.objects.filter(session__group=group).exists():
            raise exceptions.GroupHasBookings
        audit_record(
            actor=actor, action="group.delete", obj=group, request=request, extra={"id": group.pk}
        )
        group.delete()


def session_cancel(*, actor, session: GroupSession, notice: str = "", request=None) -> GroupSession:
    """Cancel one session; everyone booked or waiting is told, their reminders stop."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if session.is_cancelled:
            return session
        _cancel(actor=actor, session=session, notice=notice, request=request)
    return session


def session_move(
    *,
    actor,
    session: GroupSession,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    notice: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> GroupSession:
    """Move one future session to a future time; bookings stay, reminders follow, members
    are told. Neither the session nor its new time may be in the past."""
    now = now or timezone.now()
    length = ends_at - starts_at
    if length <= dt.timedelta(0):
        raise exceptions.GroupsError(_("A session must end after it starts."))
    if length < SESSION_MIN or length > SESSION_MAX:
        raise exceptions.GroupsError(_("A session lasts between 15 minutes and 8 hours."))
    if starts_at <= now:
        raise exceptions.GroupsError(_("A session can't be moved into the past."))
    if starts_at > now + dt.timedelta(days=FIRST_DATE_FUTURE_DAYS):
        raise exceptions.GroupsError(_("A session can be moved at most two years ahead."))
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if session.is_cancelled:
            raise exceptions.SessionCancelled
        if session.starts_at <= now:
            raise exceptions.GroupsError(_("This session has already started."))
        session.starts_at, session.ends_at, session.notice = starts_at, ends_at, notice
        session.save(update_fields=["starts_at", "ends_at", "notice"])
        _tell_moved(session)
        audit_record(actor=actor, action="session.move", obj=session, request=request)
    return session
