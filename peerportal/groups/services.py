"""Every state change of groups, sessions and bookings.

Capacity holds under concurrency: ``booking_create`` and ``booking_cancel`` lock the
session row (``select_for_update``), count, then write; confirmed bookings also hold a
numbered seat that is unique per session, so even a missing lock could not seat two
people in one place.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.core.models import Organization
from peerportal.reminders.services import (
    notify,
    reminders_cancel_for,
    reminders_reschedule_for,
    reminders_schedule_before,
)

from . import exceptions, standing, waitlist
from .models import (
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

KIND_UPCOMING = "session_upcoming"
KIND_CONFIRMED = "booking_confirmed"
KIND_PROMOTED = "waitlist_promoted"
KIND_SESSION_CANCELLED = "session_cancelled"
KIND_SESSION_MOVED = "session_moved"


# --- Sessions ---------------------------------------------------------------------------
def group_sessions_generate(*, group: SupportGroup, now: dt.datetime | None = None) -> int:
    """Create the group's sessions over its rolling horizon. Idempotent.

    Future sessions that the (possibly edited) schedule no longer produces are removed when
    nobody holds a booking for them; booked ones stay for a coordinator to move or cancel
    (see ``selectors.sessions_off_schedule``), so nobody's place silently disappears.
    Returns the number of sessions created.
    """
    now = now or timezone.now()
    window_end = now + dt.timedelta(weeks=group.horizon_weeks)
    occurrences = group.planned_occurrences(
        tz=Organization.get().tzinfo, window_start=now, window_end=window_end
    )
    in_window = group.sessions.filter(occurrence_start__gte=now, occurrence_start__lt=window_end)
    stale = in_window.exclude(occurrence_start__in=[o.start for o in occurrences])
    stale.exclude(pk__in=Booking.objects.active().values("session_id")).delete()
    existing = set(in_window.values_list("occurrence_start", flat=True))
    new = [
        GroupSession(group=group, occurrence_start=o.start, starts_at=o.start, ends_at=o.end)
        for o in occurrences
        if o.start not in existing
    ]
    GroupSession.objects.bulk_create(new, ignore_conflicts=True)
    standing.standing_places_fill_group(group=group, now=now)  # standing places take their seats
    return len(new)


def group_sessions_generate_all(*, now: dt.datetime | None = None) -> int:
    return sum(group_sessions_generate(group=g, now=now) for g in SupportGroup.objects.published())


def group_save(
    *, actor, group: SupportGroup, topics=None, facilitators=None, request=None
) -> SupportGroup:
    """Create or update a group (form-validated), then top up its sessions."""
    with transaction.atomic():
        creating = group.pk is None
        group.save()
        if topics is not None:
            group.topics.set(topics)
        if facilitators is not None:
            group.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="group.create" if creating else "group.update",
            obj=group,
            request=request,
        )
        if group.is_published:
            group_sessions_generate(group=group)
    return group


def session_cancel(*, actor, session: GroupSession, notice: str = "", request=None) -> GroupSession:
    """Cancel one session; everyone booked or waiting is told, their reminders stop."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        if session.is_cancelled:
            return session
        session.status = SessionStatus.CANCELLED
        session.notice = notice
        session.save(update_fields=["status", "notice"])
        waitlist.offers_withdraw_for_session(session=session, now=timezone.now())
        for booking in session.bookings.active().select_related("member"):
            reminders_cancel_for(target=booking)
            notify(kind=KIND_SESSION_CANCELLED, target=booking, recipient=booking.member)
        audit_record(actor=actor, action="session.cancel", obj=session, request=request)
    return session


def session_move(
    *,
    actor,
    session: GroupSession,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    notice: str = "",
    request=None,
) -> GroupSession:
    """Move one session; bookings stay, reminders follow, members are told."""
    if ends_at <= starts_at:
        raise exceptions.GroupsError(_("A session must end after it starts."))
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session.pk)
        session.starts_at, session.ends_at, session.notice = starts_at, ends_at, notice
        session.save(update_fields=["starts_at", "ends_at", "notice"])
        for booking in session.bookings.active().select_related("member"):
            if booking.status == BookingStatus.CONFIRMED:
                reminders_reschedule_for(
                    kind=KIND_UPCOMING,
                    target=booking,
                    recipient=booking.member,
                    starts_at=starts_at,
                )
            notify(kind=KIND_SESSION_MOVED, target=booking, recipient=booking.member)
        audit_record(actor=actor, action="session.move", obj=session, request=request)
    return session


# --- Bookings ---------------------------------------------------------------------------
def _free_seat(session: GroupSession) -> int | None:
    taken = set(session.bookings.confirmed().values_list("seat", flat=True))
    # A seat offered to someone on the waitlist is held for them until they answer.
    taken.update(session.offers.filter(status=OfferStatus.OPEN).values_list("seat", flat=True))
    return next((n for n in range(1, session.seats + 1) if n not in taken), None)


def booking_create(
    *, session: GroupSession, member, now: dt.datetime | None = None, request=None
) -> Booking:
    """Book a seat, or a waitlist place when the session is full."""
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("group").get(pk=session.pk)
        )
        if session.is_cancelled:
            raise exceptions.SessionCancelled
        if now < session.booking_opens_at():
            raise exceptions.BookingNotOpen
        if now >= session.booking_closes_at():
            raise exceptions.BookingClosed
        if session.bookings.active().filter(member=member).exists():
            raise exceptions.AlreadyBooked
        waitlist.lapse_due(session=session, now=now)
        seat = _free_seat(session)
        booking = Booking(session=session, member=member)
        if seat is not None:
            booking.status, booking.seat = BookingStatus.CONFIRMED, seat
        else:
            # Taken under the lock, so the waitlist order is the order people got in line.
            booking.status, booking.waitlisted_at = BookingStatus.WAITLISTED, timezone.now()
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as exc:  # the constraints behind the lock
            if session.bookings.active().filter(member=member).exists():
                raise exceptions.AlreadyBooked from exc
            raise exceptions.GroupsError(
                _("Many people are booking right now. Please try again.")
            ) from exc
        if booking.status == BookingStatus.CONFIRMED:
            reminders_schedule_before(
                kind=KIND_UPCOMING, target=booking, recipient=member, starts_at=session.starts_at
            )
        notify(kind=KIND_CONFIRMED, target=booking, recipient=member)
        audit_record(
            actor=member,
            action="booking.create",
            obj=booking,
            request=request,
            extra={"status": booking.status},
        )
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
    nxt = (
        session.bookings.waitlisted()
        .exclude(offers__status=OfferStatus.OPEN)
        .select_for_update(of=("self",))
        .select_related("member")
        .first()
    )
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
