"""A booking once made: its place on the waitlist, and the attendance a facilitator marks."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record

from .. import exceptions
from ..models import Attendance, Booking, BookingStatus, waitlist_ahead_of
from ..permissions import can_facilitate


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
