"""Booking a seat or a waitlist place, cancelling one, and promotion from the waitlist.

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
from peerportal.core.prepared import PreparedInsert, PreparedRows
from peerportal.reminders.services import (
    notify,
    reminders_cancel_for,
    reminders_schedule_before,
    reminders_schedule_for_new,
)

from .. import exceptions, waitlist
from ..models import Booking, BookingStatus, GroupSession, OfferStatus, SupportGroup
from .kinds import KIND_CONFIRMED, KIND_PROMOTED, KIND_UPCOMING


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


def bookings_cancel_for_erased_user(user) -> None:
    """Account erasure: future bookings are cancelled so their seats go to others."""
    now = timezone.now()
    for booking in Booking.objects.active().filter(member=user, session__starts_at__gt=now):
        booking_cancel(booking=booking, actor=_System(), now=now)


class _System:
    """The actor for changes the portal makes itself (never blocked by member cutoffs)."""

    pk = None
    is_authenticated = False
