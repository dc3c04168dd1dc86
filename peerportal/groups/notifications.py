"""Email contexts for group reminders and notices: the session, place and time, and the
recipient's own booking — never who else is coming."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from peerportal.core.ical import IcalEvent, build_calendar
from peerportal.core.models import Organization
from peerportal.core.timezones import tz_for

from .models import Booking, BookingStatus, StandingPlace, StandingStatus, WaitlistOffer


def _booking(reminder) -> Booking | None:
    return (
        Booking.objects.select_related("session__group__location")
        .filter(pk=reminder.target_id, member_id=reminder.recipient_id)
        .first()
    )


def session_ical(booking: Booking) -> bytes:
    session = booking.session
    group = session.group
    return build_calendar(
        group.name,
        [
            IcalEvent(
                uid=f"group-session-{session.pk}@peerportal",
                start=session.starts_at,
                end=session.ends_at,
                summary=group.name,
                location=str(group.location or ""),
                cancelled=session.is_cancelled,
            )
        ],
        Organization.get().tzinfo,
    )


def _context(booking: Booking, recipient) -> dict:
    tz = tz_for(recipient)
    session = booking.session
    return {
        "booking": booking,
        "session": session,
        "group": session.group,
        "location": session.group.location,
        "starts_local": timezone.localtime(session.starts_at, tz),
        "ends_local": timezone.localtime(session.ends_at, tz),
        "time_zone": str(tz),
        "bookings_path": reverse("groups:booking-list"),
    }


def session_upcoming_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.session.is_cancelled:
        return None
    if booking.session.starts_at <= timezone.now():
        return None
    return _context(booking, reminder.recipient)


def booking_confirmed_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or booking.status == BookingStatus.CANCELLED:
        return None
    context = _context(booking, reminder.recipient)
    if booking.status == BookingStatus.CONFIRMED:
        context["attachments"] = [("session.ics", session_ical(booking), "text/calendar")]
    return context


def waitlist_promoted_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.session.is_cancelled:
        return None
    context = _context(booking, reminder.recipient)
    context["attachments"] = [("session.ics", session_ical(booking), "text/calendar")]
    return context


def session_cancelled_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or not booking.session.is_cancelled:
        return None
    return _context(booking, reminder.recipient)


def session_moved_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or booking.status == BookingStatus.CANCELLED or booking.session.is_cancelled:
        return None
    context = _context(booking, reminder.recipient)
    if booking.status == BookingStatus.CONFIRMED:
        context["attachments"] = [("session.ics", session_ical(booking), "text/calendar")]
    return context


def booking_cancelled_context(reminder) -> dict | None:
    booking = _booking(reminder)
    if booking is None or booking.status != BookingStatus.CANCELLED:
        return None
    context = _context(booking, reminder.recipient)
    context["group_path"] = reverse("groups:group-detail", args=[booking.session.group_id])
    return context


def waitlist_offer_context(reminder) -> dict | None:
    """Sent only while the offer is still open; the link carries a signed offer id."""
    from .waitlist import offer_token

    offer = (
        WaitlistOffer.objects.select_related("booking__session__group__location")
        .filter(pk=reminder.target_id, booking__member_id=reminder.recipient_id)
        .first()
    )
    if offer is None or not offer.is_open(timezone.now()):
        return None
    tz = tz_for(reminder.recipient)
    context = _context(offer.booking, reminder.recipient)
    context.update(
        {
            "offer": offer,
            "expires_local": timezone.localtime(offer.expires_at, tz),
            "respond_path": reverse("groups:offer-respond", args=[offer_token(offer)]),
        }
    )
    return context


def standing_place_check_context(reminder) -> dict | None:
    place = (
        StandingPlace.objects.select_related("group")
        .filter(pk=reminder.target_id, member_id=reminder.recipient_id)
        .first()
    )
    if place is None or place.status != StandingStatus.ASKED:
        return None
    tz = tz_for(reminder.recipient)
    return {
        "place": place,
        "group": place.group,
        "answer_by_local": timezone.localtime(place.answer_by, tz),
        "time_zone": str(tz),
        "standing_path": reverse("groups:standing-list"),
    }
