"""Waitlist offers under real concurrency (PostgreSQL row locks; skipped on SQLite).

Without the session lock in ``waitlist_offer_accept``/``waitlist_offer_decline`` both tests
fail: every thread reads the offer as open and more than one answer wins.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from peerportal.groups import services, waitlist
from peerportal.groups.models import Booking, BookingStatus, OfferStatus, WaitlistOffer
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory

START = dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC)
NOW = START - dt.timedelta(hours=5)


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except Exception as exc:  # noqa: BLE001 — collected and asserted on below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _offered(capacity=1, waiting=2):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        session = GroupSessionFactory(
            starts_at=START, group__capacity=capacity, group__offer_window_hours=24
        )
        holders = [
            services.booking_create(session=session, member=UserFactory()) for _ in range(capacity)
        ]
        line = [
            services.booking_create(session=session, member=UserFactory()) for _ in range(waiting)
        ]
    with time_machine.travel(NOW, tick=False):
        for holder in holders:
            services.booking_cancel(booking=holder, actor=holder.member)
    return session, line


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_to_one_offer_leave_exactly_one_winner():
    session, [first, second] = _offered()
    offer = WaitlistOffer.objects.get()
    member = first.member
    jobs = [lambda: waitlist.waitlist_offer_accept(offer=offer, member=member, now=NOW)] * 6
    jobs += [lambda: waitlist.waitlist_offer_decline(offer=offer, member=member, now=NOW)] * 6
    with time_machine.travel(NOW, tick=False):
        results = _race(jobs)
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, waitlist.OfferNotOpen) for r in results if r not in wins)
    offer.refresh_from_db()
    first.refresh_from_db()
    if offer.status == OfferStatus.ACCEPTED:
        assert (first.status, first.seat) == (BookingStatus.CONFIRMED, 1)
        assert not WaitlistOffer.objects.filter(status=OfferStatus.OPEN).exists()
    else:
        assert offer.status == OfferStatus.DECLINED
        assert first.status == BookingStatus.CANCELLED
        assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).booking_id == second.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accepts_newcomers_and_cancellations_at_once_never_overbook():
    session, line = _offered(capacity=3, waiting=5)
    offers = list(WaitlistOffer.objects.filter(status=OfferStatus.OPEN))
    assert len(offers) == 3
    jobs = [
        lambda o=o: waitlist.waitlist_offer_accept(offer=o, member=o.booking.member, now=NOW)
        for o in WaitlistOffer.objects.select_related("booking__member").filter(
            status=OfferStatus.OPEN
        )
    ]
    jobs += [
        lambda m=m: services.booking_create(session=session, member=m, now=NOW)
        for m in UserFactory.create_batch(6)
    ]
    with time_machine.travel(NOW, tick=False):
        results = _race(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    confirmed = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
    assert sorted(confirmed.values_list("seat", flat=True)) == [1, 2, 3]
    assert set(confirmed.values_list("pk", flat=True)) == {o.booking_id for o in offers}
