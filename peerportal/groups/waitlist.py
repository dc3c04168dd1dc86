"""Waitlist offers: what happens to a seat that frees up, and answering an offer.

A seat freed more than the group's ``offer_window_hours`` before the start goes to the first
person waiting at once (``services.bookings._promote_first_waitlisted``). Closer to the start it is
*offered* to them until ``expires_at`` (the group's ``offer_lifetime_minutes``, never past the
start): the seat is held for them meanwhile. Accepting books it; declining or letting it lapse
ends their waitlist place and offers the seat to the next person.

Every function here runs with the session row locked (``select_for_update``), the same lock
``booking_create`` and ``booking_cancel`` take, so an offer, a newcomer's booking, a lapse and
an accept for one session never interleave. The constraints on ``WaitlistOffer`` (one open
offer per seat and per booking) are the second line behind the lock.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerportal.core.audit import audit_record
from peerportal.reminders.services import notify, reminders_cancel_for, reminders_schedule_before

from . import exceptions
from .models import Booking, BookingStatus, GroupSession, OfferStatus, WaitlistOffer

KIND_OFFER = "waitlist_offer"
KIND_CANCELLED = "booking_cancelled"

OFFER_TOKEN_SALT = "peerportal.groups.waitlist-offer"  # noqa: S105 — a salt, not a secret
# A token outlives any offer (the longest lifetime is 48 hours); the offer's state makes it
# one-time and its expiry is checked on the row.
OFFER_TOKEN_MAX_AGE = dt.timedelta(days=3)


class OfferNotOpen(exceptions.GroupsError):
    message = _("This offer has already been answered or has lapsed.")


# --- Tokens for the email link ------------------------------------------------------------
def offer_token(offer: WaitlistOffer) -> str:
    """A signed reference to the offer: its id only, never a name or email."""
    return signing.dumps({"o": offer.pk}, salt=OFFER_TOKEN_SALT)


def offer_id_from_token(token: str) -> int | None:
    try:
        data = signing.loads(
            token, salt=OFFER_TOKEN_SALT, max_age=OFFER_TOKEN_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    pk = data.get("o") if isinstance(data, dict) else None
    return pk if isinstance(pk, int) else None


# --- Inside the session lock --------------------------------------------------------------
def _lock_session(pk: int) -> GroupSession:
    return GroupSession.objects.select_for_update().select_related("group").get(pk=pk)


def offer_expires_at(session: GroupSession, now: dt.datetime) -> dt.datetime:
    return min(now + dt.timedelta(minutes=session.group.offer_lifetime_minutes), session.starts_at)


def first_waiting(session: GroupSession) -> Booking | None:
    """The first in line without an open offer, row-locked (the session lock is held)."""
    return (
        session.bookings.waitlisted()
        .exclude(offers__status=OfferStatus.OPEN)
        .select_for_update(of=("self",))
        .select_related("member")
        .first()
    )


def _offer_next(*, session: GroupSession, seat: int, now: dt.datetime) -> WaitlistOffer | None:
    """Offer ``seat`` to the first waiting member without an open offer (lock held)."""
    if session.is_cancelled or offer_expires_at(session, now) <= now:
        return None
    nxt = first_waiting(session)
    if nxt is None:
        return None
    offer = WaitlistOffer.objects.create(
        session=session,
        booking=nxt,
        seat=seat,
        created_at=now,
        expires_at=offer_expires_at(session, now),
    )
    notify(kind=KIND_OFFER, target=offer, recipient=nxt.member)
    audit_record(actor=None, action="waitlist.offer", obj=offer)
    return offer


def seat_freed(*, session: GroupSession, seat: int, now: dt.datetime) -> None:
    """A confirmed seat (or an offered one) came free; the session row is locked."""
    from .services.bookings import _promote_first_waitlisted

    if session.is_cancelled or now >= session.starts_at:
        return
    window = dt.timedelta(hours=session.group.offer_window_hours)
    if now < session.starts_at - window:
        _promote_first_waitlisted(session=session, seat=seat)
    else:
        _offer_next(session=session, seat=seat, now=now)


def _close(offer: WaitlistOffer, status: str, now: dt.datetime) -> None:
    offer.status, offer.decided_at = status, now
    offer.save(update_fields=["status", "decided_at"])
    reminders_cancel_for(target=offer)


def _end_waitlist_place(booking: Booking) -> None:
    booking.status, booking.seat, booking.waitlisted_at = BookingStatus.CANCELLED, None, None
    booking.save(update_fields=["status", "seat", "waitlisted_at", "updated_at"])
    reminders_cancel_for(target=booking)


def lapse_due(*, session: GroupSession, now: dt.datetime) -> int:
    """Lapse this session's open offers past their time and pass the seats on (lock held)."""
    due = list(
        session.offers.filter(status=OfferStatus.OPEN, expires_at__lte=now)
        .select_related("booking")
        .order_by("expires_at", "id")
    )
    for offer in due:
        _close(offer, OfferStatus.LAPSED, now)
        _end_waitlist_place(offer.booking)
        audit_record(actor=None, action="waitlist.offer_lapse", obj=offer)
        _offer_next(session=session, seat=offer.seat, now=now)
    return len(due)


def offer_withdraw_for(*, booking: Booking, now: dt.datetime) -> int | None:
    """The waiting member left the waitlist: their open offer ends; returns its seat."""
    offer = booking.offers.filter(status=OfferStatus.OPEN).first()
    if offer is None:
        return None
    _close(offer, OfferStatus.WITHDRAWN, now)
    return offer.seat


def offers_withdraw_for_session(*, session: GroupSession, now: dt.datetime) -> None:
    """The session was cancelled: open offers end (the members are told of the cancellation)."""
    for offer in session.offers.filter(status=OfferStatus.OPEN):
        _close(offer, OfferStatus.WITHDRAWN, now)


# --- Services -----------------------------------------------------------------------------
def _lapse_if_due(offer: WaitlistOffer, now: dt.datetime) -> bool:
    """Lazy expiry on answer: pass an overdue offer on in its own transaction."""
    if offer.expires_at > now:
        return False
    with transaction.atomic():
        session = _lock_session(offer.session_id)
        lapse_due(session=session, now=now)
    return True


def waitlist_offer_accept(
    *, offer: WaitlistOffer, member, now: dt.datetime | None = None, request=None
) -> Booking:
    """The member takes the offered seat; refused once it is answered, withdrawn or lapsed."""
    now = now or timezone.now()
    if _lapse_if_due(offer, now):  # committed before the refusal, so the seat moves on
        raise OfferNotOpen(_("Sorry, this offer has lapsed and the place went to the next person."))
    with transaction.atomic():
        session = _lock_session(offer.session_id)
        offer = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
        booking = Booking.objects.select_for_update().get(pk=offer.booking_id)
        if not offer.is_open(now) or booking.member_id != member.pk:
            raise OfferNotOpen
        _close(offer, OfferStatus.ACCEPTED, now)
        booking.status, booking.seat, booking.waitlisted_at = (
            BookingStatus.CONFIRMED,
            offer.seat,
            None,
        )
        booking.save(update_fields=["status", "seat", "waitlisted_at", "updated_at"])
        from .services import KIND_CONFIRMED, KIND_UPCOMING

        reminders_schedule_before(
            kind=KIND_UPCOMING, target=booking, recipient=member, starts_at=session.starts_at
        )
        notify(kind=KIND_CONFIRMED, target=booking, recipient=member)
        audit_record(actor=member, action="waitlist.offer_accept", obj=offer, request=request)
    return booking


def waitlist_offer_decline(
    *, offer: WaitlistOffer, member, now: dt.datetime | None = None, request=None
) -> WaitlistOffer:
    """The member says no: their waitlist place ends and the next person gets the offer."""
    now = now or timezone.now()
    if _lapse_if_due(offer, now):
        raise OfferNotOpen
    with transaction.atomic():
        session = _lock_session(offer.session_id)
        offer = WaitlistOffer.objects.select_for_update().select_related("booking").get(pk=offer.pk)
        if offer.booking.member_id != member.pk or not offer.is_open(now):
            raise OfferNotOpen
        _close(offer, OfferStatus.DECLINED, now)
        _end_waitlist_place(offer.booking)
        audit_record(actor=member, action="waitlist.offer_decline", obj=offer, request=request)
        _offer_next(session=session, seat=offer.seat, now=now)
    return offer


def waitlist_offer_lapse(*, session_id: int, now: dt.datetime | None = None) -> int:
    """Lapse one session's overdue offers (the beat scan calls this per session id)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session_id)
        return lapse_due(session=session, now=now)


def waitlist_offers_lapse_due(*, now: dt.datetime | None = None) -> int:
    """The beat scan: ids of sessions with overdue open offers, each handled in its own
    transaction so one failure does not hold back the rest."""
    now = now or timezone.now()
    session_ids = (
        WaitlistOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now)
        .order_by()
        .values_list("session_id", flat=True)
        .distinct()
    )
    return sum(waitlist_offer_lapse(session_id=pk, now=now) for pk in list(session_ids))
