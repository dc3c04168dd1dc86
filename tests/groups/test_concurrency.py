"""Real threads racing on PostgreSQL row locks (skipped on SQLite; runs in CI)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from peerportal.groups import services
from peerportal.groups.exceptions import GroupsError
from peerportal.groups.models import Booking, BookingStatus
from tests.factories import UserFactory, org_localdate
from tests.groups.factories import GroupSessionFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_racing_for_three_seats_end_with_three_confirmed_and_47_waitlisted():
    session = GroupSessionFactory(group__capacity=3)
    members = UserFactory.create_batch(50)
    barrier = threading.Barrier(len(members))
    errors: list[Exception] = []

    def book(member):
        try:
            barrier.wait(timeout=30)
            services.booking_create(session=session, member=member)
        except GroupsError as exc:  # pragma: no cover — would be a failure below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    bookings = Booking.objects.filter(session=session)
    assert bookings.filter(status=BookingStatus.CONFIRMED).count() == 3
    assert bookings.filter(status=BookingStatus.WAITLISTED).count() == 47
    assert sorted(
        bookings.filter(status=BookingStatus.CONFIRMED).values_list("seat", flat=True)
    ) == [1, 2, 3]

    first_waiting = (
        bookings.filter(status=BookingStatus.WAITLISTED).order_by("waitlisted_at", "id").first()
    )
    leaving = bookings.filter(status=BookingStatus.CONFIRMED).first()
    services.booking_cancel(booking=leaving, actor=leaving.member)
    first_waiting.refresh_from_db()
    assert first_waiting.status == BookingStatus.CONFIRMED
    assert bookings.filter(status=BookingStatus.CONFIRMED).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_and_new_bookings_give_the_seats_to_the_waitlist_in_order():
    session = GroupSessionFactory(group__capacity=3)
    holders = [
        services.booking_create(session=session, member=m) for m in UserFactory.create_batch(3)
    ]
    waiting = [
        services.booking_create(session=session, member=m) for m in UserFactory.create_batch(6)
    ]
    newcomers = UserFactory.create_batch(6)
    barrier = threading.Barrier(len(holders) + len(newcomers))
    errors: list[Exception] = []

    def run(fn):
        try:
            barrier.wait(timeout=30)
            fn()
        except Exception as exc:  # pragma: no cover — would be a failure below
            errors.append(exc)
        finally:
            connection.close()

    jobs = [lambda b=b: services.booking_cancel(booking=b, actor=b.member) for b in holders]
    jobs += [lambda m=m: services.booking_create(session=session, member=m) for m in newcomers]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    confirmed = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED)
    assert set(confirmed.values_list("pk", flat=True)) == {b.pk for b in waiting[:3]}
    assert sorted(confirmed.values_list("seat", flat=True)) == [1, 2, 3]
    still_waiting = Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED)
    assert still_waiting.count() == 3 + len(newcomers)
    first_in_line = still_waiting.order_by("waitlisted_at", "id")[:3]
    assert [b.pk for b in first_in_line] == [b.pk for b in waiting[3:]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@time_machine.travel(dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC), tick=True)  # a Monday
def test_bookings_racing_a_schedule_change_are_moved_or_cancelled_and_told_never_lost():
    """Members book a Tuesday while a coordinator moves the group to Wednesdays: each
    booking that got in is on a cancelled session with its member told (none silently
    deleted with its session), and every new Wednesday exists once."""
    from django.core.exceptions import ObjectDoesNotExist
    from django.utils import timezone

    from peerportal.groups.models import GroupSession, SessionStatus, SupportGroup
    from peerportal.reminders.models import Reminder
    from tests.groups.factories import SupportGroupFactory

    today = org_localdate()
    group = SupportGroupFactory(
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=today,
        horizon_weeks=3,
        capacity=5,
        booking_opens_days=60,
    )
    services.group_sessions_generate(group=group)
    sessions = list(group.sessions.filter(starts_at__gt=timezone.now() + dt.timedelta(hours=2)))
    members = UserFactory.create_batch(12)
    barrier = threading.Barrier(len(members) + 1)
    unexpected: list[Exception] = []

    def book(member, session):
        try:
            barrier.wait(timeout=30)
            services.booking_create(session=session, member=member)
        except (GroupsError, ObjectDoesNotExist):
            pass  # the session was cancelled or removed first: the member is told on the page
        except Exception as exc:  # pragma: no cover — would be a failure below
            unexpected.append(exc)
        finally:
            connection.close()

    def edit():
        try:
            edited = SupportGroup.objects.get(pk=group.pk)
            edited.rrule = "FREQ=WEEKLY;BYDAY=WE"
            barrier.wait(timeout=30)
            services.group_save(actor=None, group=edited)
        except Exception as exc:  # pragma: no cover
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(m, sessions[i % len(sessions)]))
        for i, m in enumerate(members)
    ]
    threads.append(threading.Thread(target=edit))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not unexpected, unexpected
    for booking in Booking.objects.filter(session__group=group).active():
        if booking.session.status == SessionStatus.CANCELLED:
            assert Reminder.objects.filter(
                kind="session_cancelled", recipient=booking.member
            ).exists()
        else:  # booked after the change: only possible on a session still on the schedule
            assert booking.session.starts_at.weekday() in (2, 3)  # Wednesday (UTC may be Thu)
    tuesdays = GroupSession.objects.filter(group=group, status=SessionStatus.SCHEDULED)
    local_days = {timezone.localtime(s.starts_at).date() for s in tuesdays}
    assert len(local_days) == tuesdays.count()
