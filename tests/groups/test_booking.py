from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peerportal.groups import services
from peerportal.groups.exceptions import (
    AlreadyBooked,
    BookingClosed,
    BookingNotOpen,
    CancellationTooLate,
    SessionCancelled,
)
from peerportal.groups.models import Booking, BookingStatus, GroupSession
from peerportal.groups.services import bookings as booking_services
from peerportal.reminders.models import Reminder, ReminderStatus
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory

pytestmark = pytest.mark.django_db


def test_booking_confirms_until_full_then_waitlists_in_order():
    session = GroupSessionFactory(group__capacity=2)
    people = UserFactory.create_batch(4)
    bookings = [services.booking_create(session=session, member=p) for p in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert sorted(b.seat for b in bookings[:2]) == [1, 2]
    assert [services.waitlist_position(b) for b in bookings[2:]] == [1, 2]


def test_a_member_cannot_hold_two_bookings_for_one_session(member):
    session = GroupSessionFactory()
    services.booking_create(session=session, member=member)
    with pytest.raises(AlreadyBooked):
        services.booking_create(session=session, member=member)
    assert Booking.objects.filter(session=session, member=member).count() == 1


def test_cancelling_promotes_the_first_waitlisted_and_notifies_them(member, other_member):
    session = GroupSessionFactory(group__capacity=1)
    first = services.booking_create(session=session, member=member)
    waiting = services.booking_create(session=session, member=other_member)
    later = services.booking_create(session=session, member=UserFactory())
    services.booking_cancel(booking=first, actor=member)
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED and waiting.seat == 1
    assert later.status == BookingStatus.WAITLISTED and services.waitlist_position(later) == 1
    assert Reminder.objects.filter(
        kind="waitlist_promoted", recipient=other_member, target_id=waiting.pk
    ).exists()
    assert Reminder.objects.filter(
        kind="session_upcoming", recipient=other_member, status=ReminderStatus.PENDING
    ).exists()


def test_cancelling_stops_the_members_reminders(member):
    session = GroupSessionFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    booking = services.booking_create(session=session, member=member)
    pending = Reminder.objects.filter(
        kind="session_upcoming", target_id=booking.pk, status=ReminderStatus.PENDING
    )
    assert pending.count() == 2  # 24 h and 2 h before
    services.booking_cancel(booking=booking, actor=member)
    assert not pending.exists()


def test_booking_window_and_cutoff_are_enforced_with_clear_errors(member):
    now = timezone.now()
    far = GroupSessionFactory(starts_at=now + dt.timedelta(days=60))
    with pytest.raises(BookingNotOpen):
        services.booking_create(session=far, member=member)
    soon = GroupSessionFactory(starts_at=now + dt.timedelta(minutes=5))
    with pytest.raises(BookingClosed):
        services.booking_create(session=soon, member=member)
    session = GroupSessionFactory(starts_at=now + dt.timedelta(hours=3))
    booking = services.booking_create(session=session, member=member)
    with pytest.raises(CancellationTooLate) as exc:
        services.booking_cancel(booking=booking, actor=member, now=now + dt.timedelta(hours=2))
    assert "too close" in str(exc.value)


def test_a_cancelled_session_takes_no_bookings_and_tells_everyone(
    member, other_member, coordinator
):
    session = GroupSessionFactory(group__capacity=1)
    b1 = services.booking_create(session=session, member=member)
    b2 = services.booking_create(session=session, member=other_member)
    services.session_cancel(actor=coordinator, session=session, notice="The room flooded.")
    with pytest.raises(SessionCancelled):
        services.booking_create(session=session, member=UserFactory())
    notified = set(
        Reminder.objects.filter(kind="session_cancelled").values_list("target_id", flat=True)
    )
    assert notified == {b1.pk, b2.pk}
    assert not Reminder.objects.filter(
        kind="session_upcoming", status=ReminderStatus.PENDING
    ).exists()


def test_moving_a_session_moves_the_reminders(member, coordinator):
    start = timezone.now() + dt.timedelta(days=3)
    session = GroupSessionFactory(starts_at=start)
    booking = services.booking_create(session=session, member=member)
    new_start = start + dt.timedelta(days=1)
    services.session_move(
        actor=coordinator,
        session=session,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
    )
    due = set(
        Reminder.objects.filter(
            kind="session_upcoming", target_id=booking.pk, status=ReminderStatus.PENDING
        ).values_list("due_at", flat=True)
    )
    assert due == {new_start - dt.timedelta(hours=24), new_start - dt.timedelta(hours=2)}
    assert Reminder.objects.filter(kind="session_moved", target_id=booking.pk).exists()


def test_attendance_is_marked_only_by_facilitators(member, staff, other_staff):
    session = GroupSessionFactory(starts_at=timezone.now() + dt.timedelta(minutes=20))
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    services.attendance_mark(actor=staff, booking=booking, attendance="attended")
    booking.refresh_from_db()
    assert booking.attendance == "attended"
    from peerportal.groups.exceptions import NotFacilitator

    with pytest.raises(NotFacilitator):
        services.attendance_mark(actor=other_staff, booking=booking, attendance="no_show")


def test_erasing_a_member_frees_their_future_seat(member, other_member):
    from peerportal.accounts.erasure import user_erase

    session = GroupSessionFactory(group__capacity=1)
    services.booking_create(session=session, member=member)
    waiting = services.booking_create(session=session, member=other_member)
    user_erase(user=member)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED


def test_confirmation_email_carries_an_ics_and_no_other_attendees(
    member, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    session = GroupSessionFactory(group__capacity=5, group__name="Tuesday Circle")
    services.booking_create(session=session, member=other_member)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(session=session, member=member)
    from peerportal.reminders.dispatch import dispatch_due

    dispatch_due()
    mine = [m for m in mailoutbox if member.email in m.to]
    assert mine, "the member got a confirmation"
    message = mine[-1]
    assert any(a[0] == "session.ics" for a in message.attachments)
    assert other_member.display_name not in message.body
    assert "Tuesday Circle" not in message.subject  # no group names (may be clinical) in subjects


def test_attendance_opens_30_minutes_before_the_start_and_never_for_a_cancelled_session(
    member, staff, coordinator
):
    from peerportal.groups.exceptions import AttendanceNotOpen, SessionCancelled

    session = GroupSessionFactory(starts_at=timezone.now() + dt.timedelta(minutes=31))
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    with pytest.raises(AttendanceNotOpen):
        services.attendance_mark(actor=staff, booking=booking, attendance="attended")
    booking.refresh_from_db()
    assert booking.attendance == "unknown"
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + dt.timedelta(minutes=29)
    )
    services.attendance_mark(actor=staff, booking=booking, attendance="attended")
    services.session_cancel(actor=coordinator, session=session)
    with pytest.raises(SessionCancelled):
        services.attendance_mark(actor=staff, booking=booking, attendance="no_show")


def test_a_booking_writes_the_same_reminder_rows_as_scheduling_them_one_by_one(member):
    """``booking_create`` writes its rows in one INSERT; they are the rows
    ``reminders_schedule_before`` and ``notify`` make."""
    from peerportal.reminders.services import notify, reminders_schedule_before

    session = GroupSessionFactory(group__capacity=1)
    at = timezone.now()
    with time_machine.travel(at, tick=False):
        booking = services.booking_create(session=session, member=member)
        waiting = services.booking_create(session=session, member=UserFactory())

    def rows(target):
        return sorted(
            (r.kind, r.recipient_id, r.status, r.due_at)
            for r in Reminder.objects.for_target(target)
        )

    made = rows(booking)
    assert [kind for kind, *_ in made].count(services.KIND_UPCOMING) == 2
    assert [kind for kind, *_ in rows(waiting)] == [services.KIND_CONFIRMED]
    Reminder.objects.for_target(booking).delete()
    with time_machine.travel(at, tick=False):
        reminders_schedule_before(
            kind=services.KIND_UPCOMING,
            target=booking,
            recipient=member,
            starts_at=session.starts_at,
        )
        notify(kind=services.KIND_CONFIRMED, target=booking, recipient=member)
    assert rows(booking) == made


def test_the_booking_state_query_names_the_tables_of_its_models():
    from peerportal.groups.models import WaitlistOffer

    assert "FROM groups_booking " in booking_services._BOOKING_STATE_SQL
    assert Booking._meta.db_table == "groups_booking"
    assert f"FROM {WaitlistOffer._meta.db_table} " in booking_services._BOOKING_STATE_SQL


def test_the_locked_session_carries_what_booking_reads_and_defers_the_rest(
    django_assert_num_queries,
):
    """The lock read is prepared once per process (no queryset per booking); it loads the
    session and its group as ``only()`` would, and answers a missing or, for members, a
    non-public session with DoesNotExist."""
    from django.db import transaction

    session = GroupSessionFactory(group__capacity=7, capacity=None)
    with transaction.atomic():
        with django_assert_num_queries(1) as ctx:
            locked = booking_services._lock_session(session.pk, public_only=True)
            assert (locked.pk, locked.group_id, locked.seats) == (session.pk, session.group_id, 7)
            assert locked.starts_at == session.starts_at and not locked.is_cancelled
            assert locked.booking_opens_at() == session.booking_opens_at()
            assert locked.booking_closes_at() == session.booking_closes_at()
            assert locked.group.offer_window_hours == session.group.offer_window_hours
        assert "FOR UPDATE" in ctx.captured_queries[0]["sql"] or "sqlite" in ctx.connection.vendor
        assert {"notice", "ends_at"} <= locked.get_deferred_fields()
        assert {"name", "description"} <= locked.group.get_deferred_fields()

    session.group.is_published = False
    session.group.save(update_fields=["is_published"])
    with transaction.atomic():
        assert booking_services._lock_session(session.pk, public_only=False).pk == session.pk
        with pytest.raises(GroupSession.DoesNotExist):
            booking_services._lock_session(session.pk, public_only=True)
        with pytest.raises(GroupSession.DoesNotExist):
            booking_services._lock_session(session.pk + 10_000, public_only=False)
