"""Waitlist offers (issue #16, part 2): near the start a freed seat is offered for a while.

Every test pins the clock: the session starts at 18:00 New York time on Tuesday 10 March
2026 (23:00 UTC) — two days after the DST change, which is deliberate.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from peerportal.groups import services, waitlist
from peerportal.groups.models import Booking, BookingStatus, OfferStatus, WaitlistOffer
from peerportal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC)  # 18:00 in New York (EDT)
BOOKED_AT = START - dt.timedelta(days=5)


def _full_session(*, waiting: int = 2, capacity: int = 1, **group):
    """A full session with ``waiting`` people in line, all booked at BOOKED_AT."""
    group = {"capacity": capacity, "offer_window_hours": 24, "offer_lifetime_minutes": 120, **group}
    with time_machine.travel(BOOKED_AT, tick=False):
        session = GroupSessionFactory(
            starts_at=START, **{f"group__{k}": v for k, v in group.items()}
        )
        holders = [
            services.booking_create(session=session, member=UserFactory()) for _ in range(capacity)
        ]
        line = []
        for i in range(waiting):
            with time_machine.travel(BOOKED_AT + dt.timedelta(minutes=i + 1), tick=False):
                line.append(services.booking_create(session=session, member=UserFactory()))
    return session, holders, line


def _cancel(booking, at):
    with time_machine.travel(at, tick=False):
        return services.booking_cancel(booking=booking, actor=booking.member, now=at)


def _status(booking) -> str:
    booking.refresh_from_db()
    return booking.status


# --- Promotion or offer ---------------------------------------------------------------------
def test_a_seat_freed_before_the_offer_window_goes_to_the_first_waiting_person_at_once():
    session, [holder], [first, second] = _full_session()
    _cancel(holder, START - dt.timedelta(hours=25))
    assert _status(first) == BookingStatus.CONFIRMED
    assert _status(second) == BookingStatus.WAITLISTED
    assert not WaitlistOffer.objects.exists()


def test_inside_the_window_the_first_waiting_person_gets_an_offer_that_holds_the_seat():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    assert (offer.booking, offer.status, offer.seat) == (first, OfferStatus.OPEN, 1)
    assert offer.expires_at == at + dt.timedelta(hours=2)
    assert _status(first) == BookingStatus.WAITLISTED, "not booked until they accept"
    assert Reminder.objects.filter(kind=waitlist.KIND_OFFER, target_id=offer.pk).exists()
    # The held seat is not free for a newcomer: they join the line behind.
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        newcomer = services.booking_create(session=session, member=UserFactory())
    assert newcomer.status == BookingStatus.WAITLISTED


def test_an_offer_never_runs_past_the_start():
    session, [holder], [first, _second] = _full_session(cancellation_cutoff_hours=0)
    at = START - dt.timedelta(minutes=50)
    _cancel(holder, at)
    assert WaitlistOffer.objects.get().expires_at == START


def test_a_window_of_zero_always_promotes_at_once():
    session, [holder], [first] = _full_session(
        waiting=1, offer_window_hours=0, cancellation_cutoff_hours=0
    )
    _cancel(holder, START - dt.timedelta(minutes=30))
    assert _status(first) == BookingStatus.CONFIRMED
    assert not WaitlistOffer.objects.exists()


# --- Answers --------------------------------------------------------------------------------
def test_accepting_books_the_held_seat_once():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    with time_machine.travel(at + dt.timedelta(minutes=10), tick=False):
        booking = waitlist.waitlist_offer_accept(offer=offer, member=first.member)
        assert (booking.status, booking.seat) == (BookingStatus.CONFIRMED, 1)
        with pytest.raises(waitlist.OfferNotOpen):
            waitlist.waitlist_offer_accept(offer=offer, member=first.member)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert _status(second) == BookingStatus.WAITLISTED
    assert Reminder.objects.filter(kind="session_upcoming", target_id=booking.pk).exists()


def test_someone_else_cannot_accept_an_offer():
    session, [holder], [first, second] = _full_session()
    _cancel(holder, START - dt.timedelta(hours=5))
    offer = WaitlistOffer.objects.get()
    with (
        time_machine.travel(START - dt.timedelta(hours=4), tick=False),
        pytest.raises(waitlist.OfferNotOpen),
    ):
        waitlist.waitlist_offer_accept(offer=offer, member=second.member)
    assert _status(second) == BookingStatus.WAITLISTED
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN


def test_declining_ends_the_waitlist_place_and_offers_the_seat_to_the_next_person():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    with time_machine.travel(at + dt.timedelta(minutes=5), tick=False):
        waitlist.waitlist_offer_decline(offer=WaitlistOffer.objects.get(), member=first.member)
    assert _status(first) == BookingStatus.CANCELLED
    nxt = WaitlistOffer.objects.get(status=OfferStatus.OPEN)
    assert (nxt.booking, nxt.seat) == (second, 1)
    assert nxt.expires_at == at + dt.timedelta(minutes=5, hours=2)


def test_an_unanswered_offer_lapses_when_the_clock_passes_it_and_the_next_person_is_offered():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=6)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    with time_machine.travel(at + dt.timedelta(hours=1, minutes=59), tick=False):
        assert waitlist.waitlist_offers_lapse_due() == 0
    later = at + dt.timedelta(hours=2, minutes=1)
    with time_machine.travel(later, tick=False):
        assert waitlist.waitlist_offers_lapse_due() == 1
        with pytest.raises(waitlist.OfferNotOpen):
            waitlist.waitlist_offer_accept(offer=offer, member=first.member)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED
    assert _status(first) == BookingStatus.CANCELLED
    nxt = WaitlistOffer.objects.get(status=OfferStatus.OPEN)
    assert nxt.booking == second
    assert nxt.expires_at == later + dt.timedelta(hours=2)


def test_a_lapsed_offer_is_passed_on_lazily_when_someone_accepts_too_late():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=6)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    with (
        time_machine.travel(at + dt.timedelta(hours=3), tick=False),
        pytest.raises(waitlist.OfferNotOpen, match="lapsed"),
    ):
        waitlist.waitlist_offer_accept(offer=offer, member=first.member)
    # The refusal did not roll back the lapse: the next person already has the offer.
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).booking == second


def test_the_last_lapse_leaves_the_seat_free_for_anyone():
    session, [holder], [first] = _full_session(waiting=1)
    at = START - dt.timedelta(hours=6)
    _cancel(holder, at)
    with time_machine.travel(at + dt.timedelta(hours=3), tick=False):
        waitlist.waitlist_offers_lapse_due()
        newcomer = services.booking_create(session=session, member=UserFactory())
    assert newcomer.status == BookingStatus.CONFIRMED


def test_a_booking_lapses_an_overdue_offer_before_it_looks_for_a_seat():
    session, [holder], [first] = _full_session(waiting=1)
    at = START - dt.timedelta(hours=6)
    _cancel(holder, at)
    with time_machine.travel(at + dt.timedelta(hours=3), tick=False):  # no beat scan ran
        newcomer = services.booking_create(session=session, member=UserFactory())
    assert WaitlistOffer.objects.get(booking=first).status == OfferStatus.LAPSED
    assert _status(first) == BookingStatus.CANCELLED
    assert (newcomer.status, newcomer.seat) == (BookingStatus.CONFIRMED, 1)


def test_leaving_the_waitlist_with_an_open_offer_passes_it_on():
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    _cancel(first, at + dt.timedelta(minutes=1))
    assert WaitlistOffer.objects.get(booking=first).status == OfferStatus.WITHDRAWN
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).booking == second


def test_two_seats_freed_make_two_offers_to_two_different_people():
    session, holders, line = _full_session(capacity=2, waiting=3)
    at = START - dt.timedelta(hours=5)
    _cancel(holders[0], at)
    _cancel(holders[1], at + dt.timedelta(minutes=1))
    offers = WaitlistOffer.objects.filter(status=OfferStatus.OPEN).order_by("seat")
    assert [(o.booking, o.seat) for o in offers] == [(line[0], 1), (line[1], 2)]


def test_cancelling_the_session_withdraws_open_offers(coordinator):
    session, [holder], [first] = _full_session(waiting=1)
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    with time_machine.travel(at, tick=False):
        services.session_cancel(actor=coordinator, session=session)
    assert WaitlistOffer.objects.get().status == OfferStatus.WITHDRAWN


def test_the_database_allows_one_open_offer_per_seat():
    from django.db import IntegrityError, transaction

    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            session=session, booking=second, seat=1, created_at=at, expires_at=START
        )


# --- Email and links ------------------------------------------------------------------------
def test_offer_email_names_the_date_not_the_group_and_links_to_the_signed_answer_page(
    mailoutbox, settings
):
    session, [holder], [first] = _full_session(waiting=1, name="Grief Circle")
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    from peerportal.reminders.dispatch import dispatch_due

    with time_machine.travel(at + dt.timedelta(seconds=30), tick=False):
        dispatch_due()
    [message] = [m for m in mailoutbox if first.member.email in m.to and "answer by" in m.subject]
    assert "Grief Circle" not in message.subject
    assert "10 Mar 2026" in message.subject
    offer = WaitlistOffer.objects.get()
    prefix = reverse("groups:offer-respond", args=["T"])[:-2]
    token = message.body.split(prefix, 1)[1].split("/", 1)[0]
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        assert waitlist.offer_id_from_token(token) == offer.pk
    assert first.member.email.split("@")[0] not in token


def test_the_signed_link_works_without_signing_in_and_only_once(client):
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    url = reverse("groups:offer-respond", args=[waitlist.offer_token(offer)])
    with time_machine.travel(at + dt.timedelta(minutes=3), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "Take the place" in page.content.decode()
        assert _status(first) == BookingStatus.WAITLISTED, "a GET (link preview) changes nothing"
        done = client.post(url, {"answer": "accept"})
        assert "The place is yours" in done.content.decode()
        again = client.post(url, {"answer": "decline"})
    assert "already been answered" in again.content.decode()
    assert _status(first) == BookingStatus.CONFIRMED
    assert _status(second) == BookingStatus.WAITLISTED


def test_a_tampered_or_foreign_token_is_a_404(client):
    session, [holder], [first] = _full_session(waiting=1)
    _cancel(holder, START - dt.timedelta(hours=5))
    offer = WaitlistOffer.objects.get()
    with time_machine.travel(START - dt.timedelta(hours=4), tick=False):
        token = waitlist.offer_token(offer)
        assert (
            client.get(reverse("groups:offer-respond", args=[token[:-2] + "xx"])).status_code == 404
        )
        other_salt = signing.dumps({"o": offer.pk}, salt="something-else")
        assert client.get(reverse("groups:offer-respond", args=[other_salt])).status_code == 404
    with time_machine.travel(START + dt.timedelta(days=4), tick=False):
        assert client.get(reverse("groups:offer-respond", args=[token])).status_code == 404


def test_a_bad_answer_changes_nothing(client):
    session, [holder], [first] = _full_session(waiting=1)
    _cancel(holder, START - dt.timedelta(hours=5))
    url = reverse("groups:offer-respond", args=[waitlist.offer_token(WaitlistOffer.objects.get())])
    with time_machine.travel(START - dt.timedelta(hours=4), tick=False):
        response = client.post(url, {"answer": "maybe"})
    assert "Please choose" in response.content.decode()
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN


def test_my_bookings_shows_the_offer_and_accepts_it(client):
    session, [holder], [first] = _full_session(waiting=1)
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    client.force_login(first.member)
    with time_machine.travel(at + dt.timedelta(minutes=2), tick=False):
        page = client.get(reverse("groups:booking-list")).content.decode()
        assert "A place is held for you" in page
        assert reverse("groups:offer-accept", args=[offer.pk]) in page
        response = client.post(reverse("groups:offer-accept", args=[offer.pk]), follow=True)
    assert "The place is yours" in response.content.decode()
    assert _status(first) == BookingStatus.CONFIRMED


def test_my_bookings_declines_an_offer(client):
    session, [holder], [first, second] = _full_session()
    at = START - dt.timedelta(hours=5)
    _cancel(holder, at)
    offer = WaitlistOffer.objects.get()
    client.force_login(first.member)
    with time_machine.travel(at + dt.timedelta(minutes=2), tick=False):
        client.post(reverse("groups:offer-decline", args=[offer.pk]))
    assert _status(first) == BookingStatus.CANCELLED
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).booking == second


def test_another_member_cannot_answer_my_offer(client):
    session, [holder], [first, second] = _full_session()
    _cancel(holder, START - dt.timedelta(hours=5))
    offer = WaitlistOffer.objects.get()
    client.force_login(second.member)
    with time_machine.travel(START - dt.timedelta(hours=4), tick=False):
        assert client.post(reverse("groups:offer-accept", args=[offer.pk])).status_code == 404
        assert client.post(reverse("groups:offer-decline", args=[offer.pk])).status_code == 404
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.WAITLISTED
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN
