"""Every state change of groups, sessions and bookings.

Capacity holds under concurrency: ``booking_create`` and ``booking_cancel`` lock the
session row (``select_for_update``), count, then write; confirmed bookings also hold a
numbered seat that is unique per session, so even a missing lock could not seat two
people in one place.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import DEFERRED
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.core.prepared import PreparedInsert, PreparedRows
from peerportal.reminders.services import (
    notify,
    reminders_cancel_for,
    reminders_reschedule_for,
    reminders_schedule_before,
    reminders_schedule_for_new,
)

from . import exceptions, standing, waitlist
from .models import (
    FIRST_DATE_FUTURE_DAYS,
    SESSION_MAX,
    SESSION_MIN,
    Attendance,
    Booking,
    BookingStatus,
    GroupSession,
    OfferStatus,
    SessionStatus,
    SupportGroup,
    waitlist_ahead_of,
)
from .permissions import can_facilitate
from .planning import SchedulePlan, schedule_plan
from .validation import schedule_dates_error

KIND_UPCOMING = "session_upcoming"
KIND_CONFIRMED = "booking_confirmed"
KIND_PROMOTED = "waitlist_promoted"
KIND_SESSION_CANCELLED = "session_cancelled"
KIND_SESSION_MOVED = "session_moved"


# --- Sessions ---------------------------------------------------------------------------
def group_sessions_generate(*, group: SupportGroup, now: dt.datetime | None = None) -> int:
    """Create the group's missing sessions over its rolling horizon. Idempotent.

    The one place sessions are generated (the daily task, saving a group, editing its
    schedule all call it). It only adds: a date that already has a session — moved by
    hand, or cancelled — gets no second one; changing or ending a schedule is
    ``group_schedule_update`` / ``group_archive``. Unpublished and archived groups get
    none. At most ``MAX_OCCURRENCES`` per run. Returns the number of sessions created.
    """
    if not group.is_published or group.is_archived:
        return 0
    now = now or timezone.now()
    tz = Organization.get().tzinfo
    window_end = now + dt.timedelta(weeks=group.horizon_weeks)
    occurrences = group.planned_occurrences(tz=tz, window_start=now, window_end=window_end)
    if not occurrences:
        return 0
    taken = {
        timezone.localtime(start, tz).date()
        for start in group.sessions.filter(
            occurrence_start__gte=occurrences[0].start - dt.timedelta(days=1),
            occurrence_start__lt=window_end + dt.timedelta(days=1),
        ).values_list("occurrence_start", flat=True)
    }
    new = [
        GroupSession(group=group, occurrence_start=o.start, starts_at=o.start, ends_at=o.end)
        for o in occurrences
        if o.local_date not in taken
    ]
    GroupSession.objects.bulk_create(new, ignore_conflicts=True)
    standing.standing_places_fill_group(group=group, now=now)  # standing places take their seats
    return len(new)


def group_sessions_generate_all(*, now: dt.datetime | None = None) -> int:
    return sum(group_sessions_generate(group=g, now=now) for g in SupportGroup.objects.published())


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


# --- Bookings ---------------------------------------------------------------------------
def _free_seat(session: GroupSession) -> int | None:
    taken = set(session.bookings.confirmed().values_list("seat", flat=True))
    # A seat offered to someone on the waitlist is held for them until they answer.
    taken.update(session.offers.filter(status=OfferStatus.OPEN).values_list("seat", flat=True))
    return next((n for n in range(1, session.seats + 1) if n not in taken), None)


# What booking_create (and lapse_due, if it has to run) reads of the locked rows; the
# group's other 25 columns (description, schedule) are not read. Locking is unchanged:
# FOR UPDATE takes both the session's row and its group's.
_LOCKED_SESSION_FIELDS = ("id", "group_id", "starts_at", "status", "capacity")
_LOCKED_GROUP_FIELDS = (
    "capacity",
    "booking_opens_days",
    "booking_closes_minutes",
    "cancellation_cutoff_hours",
    "offer_window_hours",
    "offer_lifetime_minutes",
)


def _lock_read(public_only: bool) -> PreparedRows:
    def build(session_id):
        locked = GroupSession.objects.select_for_update()
        if public_only:
            locked = locked.filter(group__is_published=True, group__archived_at__isnull=True)
        return locked.filter(pk=session_id).values_list(
            *_LOCKED_SESSION_FIELDS, *(f"group__{f}" for f in _LOCKED_GROUP_FIELDS)
        )

    return PreparedRows(build, session_id=int)


# Under contention every booking runs this read first and holds the lock from it to the
# commit: its statement is built once per process (core/prepared.py), not per booking.
_LOCK_READS = {public_only: _lock_read(public_only) for public_only in (False, True)}


def _lock_session(session_id: int, *, public_only: bool) -> GroupSession:
    """The session and its group, locked, with the fields above (the others deferred, as
    ``only()`` leaves them); ``GroupSession.DoesNotExist`` if there is no such session
    (or, with ``public_only``, it belongs to an unpublished or archived group)."""
    rows = _LOCK_READS[public_only].rows(session_id=session_id)
    if not rows:
        raise GroupSession.DoesNotExist
    row = rows[0]
    n = len(_LOCKED_SESSION_FIELDS)
    session = _from_fields(GroupSession, dict(zip(_LOCKED_SESSION_FIELDS, row[:n], strict=True)))
    group_values = dict(zip(_LOCKED_GROUP_FIELDS, row[n:], strict=True), id=session.group_id)
    session.group = _from_fields(SupportGroup, group_values)
    return session


def _from_fields(model, values: dict):
    """An instance as the ORM loads one with only these fields (the rest deferred)."""
    return model.from_db(
        connection.alias,
        None,
        [values.get(f.attname, DEFERRED) for f in model._meta.concrete_fields],
    )


# Booking and WaitlistOffer (their tables are checked by a test).
_BOOKING_STATE_SQL = (
    "SELECT seat, member_id = %s, status = %s, false FROM groups_booking"
    " WHERE session_id = %s AND (status = %s OR (member_id = %s AND status IN (%s, %s)))"
    " UNION ALL SELECT seat, false, true, expires_at <= %s FROM groups_waitlistoffer"
    " WHERE session_id = %s AND status = %s"
)


def _booking_state(session: GroupSession, member, now: dt.datetime) -> tuple[bool, set[int], bool]:
    """Under the session lock, one read (it must follow the lock, in its own statement, to
    see what the previous lock holder committed): whether ``member`` already holds an
    active booking, the seats taken (confirmed bookings, and open offers, which hold
    theirs), and whether an open offer is past its time (then ``lapse_due`` has work).

    Plain SQL: the two ORM queries it replaces cost more to build than to run."""
    sql = _BOOKING_STATE_SQL
    confirmed, waitlisted = BookingStatus.CONFIRMED, BookingStatus.WAITLISTED
    params = [
        member.pk,
        confirmed,
        session.pk,
        confirmed,
        member.pk,
        confirmed,
        waitlisted,
        connection.ops.adapt_datetimefield_value(now),
        session.pk,
        OfferStatus.OPEN,
    ]
    mine, taken, due = False, set(), False
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for seat, is_mine, holds_seat, is_due in cursor.fetchall():
            mine = mine or bool(is_mine)
            due = due or bool(is_due)
            if holds_seat:
                taken.add(seat)
    return mine, taken, due


# The booking's INSERT, written once per process (core/prepared.py): Booking has no save()
# override and nothing listens to its saves.
_BOOKING_INSERT = PreparedInsert(Booking)


class _Refused(Exception):
    """The booking's INSERT broke a constraint (the rollback happened on the way out)."""


def booking_create(
    *,
    session: GroupSession | int,
    member,
    now: dt.datetime | None = None,
    request=None,
    public_only: bool = False,
) -> Booking:
    """Book a seat, or a waitlist place when the session is full.

    One short transaction: lock the session (and its group), read the member's own booking
    and the taken seats, insert, the reminder rows in one INSERT, the audit row. With
    ``public_only`` (the member-facing view) a session of an unpublished or archived group
    is ``GroupSession.DoesNotExist``. ``session`` may be a pk.
    """
    now = now or timezone.now()
    session_id = session if isinstance(session, int) else session.pk
    try:
        with transaction.atomic():
            session = _lock_session(session_id, public_only=public_only)
            if session.is_cancelled:
                raise exceptions.SessionCancelled
            if now < session.booking_opens_at():
                raise exceptions.BookingNotOpen
            if now >= session.booking_closes_at():
                raise exceptions.BookingClosed
            mine, taken, due = _booking_state(session, member, now)
            if mine:
                raise exceptions.AlreadyBooked
            if due:  # rare: pass lapsed offers on first, then look at the seats again
                waitlist.lapse_due(session=session, now=now)
                seat = _free_seat(session)
            else:
                seat = next((n for n in range(1, session.seats + 1) if n not in taken), None)
            booking = Booking(session=session, member=member)
            if seat is not None:
                booking.status, booking.seat = BookingStatus.CONFIRMED, seat
            else:
                # Taken under the lock, so the waitlist order is the order people got in line.
                booking.status, booking.waitlisted_at = BookingStatus.WAITLISTED, timezone.now()
            try:
                # No savepoint: a constraint error here ends the whole transaction anyway.
                _BOOKING_INSERT.insert([booking])
            except IntegrityError as exc:
                raise _Refused from exc
            reminders_schedule_for_new(
                target=booking,
                recipient=member,
                before=(
                    (KIND_UPCOMING, session.starts_at)
                    if booking.status == BookingStatus.CONFIRMED
                    else None
                ),
                notify_kinds=(KIND_CONFIRMED,),
            )
            audit_record(
                actor=member,
                action="booking.create",
                obj=booking,
                request=request,
                extra={"status": booking.status},
            )
    except _Refused as refused:  # the constraints behind the lock; rolled back by now
        exc = refused.__cause__
        if Booking.objects.active().filter(session_id=session_id, member=member).exists():
            raise exceptions.AlreadyBooked from exc
        raise exceptions.GroupsError(
            _("Many people are booking right now. Please try again.")
        ) from exc
    return booking


def booking_cancel(
    *, booking: Booking, actor, now: dt.datetime | None = None, request=None
) -> Booking:
    """Cancel a booking (before the cutoff); the first on the waitlist gets the seat."""
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update()
            .select_related("group")
            .get(pk=booking.session_id)
        )
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            raise exceptions.NotBooked
        if (
            booking.status == BookingStatus.CONFIRMED
            and now >= session.cancellation_cutoff_at()
            and actor.pk == booking.member_id
        ):
            raise exceptions.CancellationTooLate
        waitlist.lapse_due(session=session, now=now)
        booking.refresh_from_db(fields=["status", "seat"])
        if booking.status == BookingStatus.CANCELLED:  # their offer just lapsed
            raise exceptions.NotBooked
        if booking.status == BookingStatus.CONFIRMED:
            freed_seat = booking.seat
        else:
            freed_seat = waitlist.offer_withdraw_for(booking=booking, now=now)
        booking.status, booking.seat = BookingStatus.CANCELLED, None
        booking.save(update_fields=["status", "seat", "updated_at"])
        reminders_cancel_for(target=booking)
        if actor.pk == booking.member_id:
            notify(kind=waitlist.KIND_CANCELLED, target=booking, recipient=booking.member)
        audit_record(actor=actor, action="booking.cancel", obj=booking, request=request)
        if freed_seat is not None:
            waitlist.seat_freed(session=session, seat=freed_seat, now=now)
    return booking


def _promote_first_waitlisted(*, session: GroupSession, seat: int) -> Booking | None:
    """Inside booking_cancel's transaction, with the session row locked."""
    nxt = waitlist.first_waiting(session)
    if nxt is None:
        return None
    nxt.status, nxt.seat, nxt.waitlisted_at = BookingStatus.CONFIRMED, seat, None
    nxt.save(update_fields=["status", "seat", "waitlisted_at", "updated_at"])
    reminders_schedule_before(
        kind=KIND_UPCOMING, target=nxt, recipient=nxt.member, starts_at=session.starts_at
    )
    notify(kind=KIND_PROMOTED, target=nxt, recipient=nxt.member)
    audit_record(actor=None, action="booking.promote", obj=nxt)
    return nxt


def waitlist_position(booking: Booking) -> int | None:
    """1 for the next person to get a place; uses the ``waitlist_ahead`` annotation if set."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = getattr(booking, "waitlist_ahead", None)
    if ahead is None:
        ahead = Booking.objects.filter(
            waitlist_ahead_of(booking.waitlisted_at, booking.pk), session_id=booking.session_id
        ).count()
    return ahead + 1


def attendance_mark(*, actor, booking: Booking, attendance: str, request=None) -> Booking:
    if attendance not in Attendance.values:
        raise exceptions.GroupsError(_("Unknown attendance value."))
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session__group")
            .get(pk=booking.pk)
        )
        if not can_facilitate(actor, booking.session):
            raise exceptions.NotFacilitator
        if booking.session.is_cancelled:
            raise exceptions.SessionCancelled
        if not booking.session.attendance_is_open(timezone.now()):
            raise exceptions.AttendanceNotOpen
        booking.attendance = attendance
        booking.save(update_fields=["attendance", "updated_at"])
        audit_record(
            actor=actor,
            action="booking.attendance",
            obj=booking,
            request=request,
            extra={"attendance": attendance},
        )
    return booking


def bookings_cancel_for_erased_user(user) -> None:
    """Account erasure: future bookings are cancelled so their seats go to others."""
    now = timezone.now()
    for booking in Booking.objects.active().filter(member=user, session__starts_at__gt=now):
        booking_cancel(booking=booking, actor=_System(), now=now)


class _System:
    """The actor for changes the portal makes itself (never blocked by member cutoffs)."""

    pk = None
    is_authenticated = False
