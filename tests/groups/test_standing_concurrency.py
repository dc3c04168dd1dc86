"""Standing places under real concurrency (PostgreSQL row locks; skipped on SQLite).

Session generation (which fills standing places), skips and one-off bookings race for the
same sessions; capacity, the standing share and seat numbers must all hold.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q

from peerportal.groups import services, standing
from peerportal.groups.models import Booking, BookingStatus, StandingPlace
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory

NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generation_skips_and_one_off_bookings_at_once_keep_every_limit():
    with time_machine.travel(NOW, tick=False):
        group = SupportGroupFactory(
            capacity=4,
            horizon_weeks=4,
            standing_places_allowed=True,
            standing_share_percent=50,  # 2 of 4 seats
            booking_opens_days=60,
        )
        services.group_sessions_generate(group=group)
        regular = UserFactory()
        standing.standing_place_join(group=group, member=regular, cadence="weekly")
        # Two more regulars whose places the next generation run fills (only one fits).
        for member in UserFactory.create_batch(2):
            StandingPlace.objects.create(
                group=group, member=member, anchor_date=dt.date(2026, 3, 3), created_at=NOW
            )
        sessions = list(group.sessions.order_by("starts_at"))
        skips = list(Booking.objects.filter(member=regular, session__in=sessions[:2]))
        newcomers = UserFactory.create_batch(8)

        jobs = [lambda: services.group_sessions_generate(group=group)] * 2
        jobs += [lambda b=b: services.booking_cancel(booking=b, actor=regular) for b in skips]
        jobs += [
            lambda m=m, s=sessions[i % 2]: services.booking_create(session=s, member=m)
            for i, m in enumerate(newcomers)
        ]
        barrier = threading.Barrier(len(jobs))
        errors: list[Exception] = []

        def run(job):
            try:
                barrier.wait(timeout=30)
                job()
            except Exception as exc:  # noqa: BLE001 — asserted on below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)

    assert not errors, errors
    counts = (
        Booking.objects.filter(session__group=group)
        .values("session")
        .annotate(
            confirmed=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
            standing=Count(
                "pk", filter=Q(status=BookingStatus.CONFIRMED, standing_place__isnull=False)
            ),
        )
    )
    for row in counts:
        assert row["confirmed"] <= 4, row
        assert row["standing"] <= 2, row
    for session in sessions:
        seats = list(session.bookings.confirmed().values_list("seat", flat=True))
        assert len(seats) == len(set(seats))
    # Skipped dates stay skipped; the regular keeps the other two.
    assert set(
        Booking.objects.filter(member=regular, status=BookingStatus.CONFIRMED).values_list(
            "session", flat=True
        )
    ) == {s.pk for s in sessions[2:]}
    # Untouched sessions got exactly their two standing seats.
    for session in sessions[2:]:
        assert session.bookings.confirmed().filter(standing_place__isnull=False).count() == 2
