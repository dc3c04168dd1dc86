"""What a member is told (issue #16 part 3 and the field report's member items).

The clock is pinned: "now" is Monday 2 March 2026, 12:00 New York time (17:00 UTC).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerportal.groups import services
from peerportal.groups.models import GroupFormat
from peerportal.reminders.dispatch import dispatch_due
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory

NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def _session(days=2, **group):
    return GroupSessionFactory(
        starts_at=NOW + dt.timedelta(days=days), **{f"group__{k}": v for k, v in group.items()}
    )


def _detail(client, session) -> str:
    return client.get(reverse("groups:group-detail", args=[session.group_id])).content.decode()


def test_the_waitlist_position_is_shown_without_anyone_elses_identity(clock, member, client):
    session = _session(capacity=1)
    ahead = [UserFactory(display_name=f"Ahead {i}") for i in range(2)]
    for person in ahead:
        clock.shift(dt.timedelta(seconds=1))
        services.booking_create(session=session, member=person)
    clock.shift(dt.timedelta(seconds=1))
    services.booking_create(session=session, member=member)
    client.force_login(member)
    for page in (
        _detail(client, session),
        client.get(reverse("groups:booking-list")).content.decode(),
    ):
        assert "You&#x27;re number 2 in line" in page or "You're number 2 in line" in page
        assert not any(p.display_name in page for p in ahead)


def test_my_own_full_session_never_invites_me_to_the_waitlist(clock, member, client):
    session = _session(capacity=1)
    services.booking_create(session=session, member=member)
    client.force_login(member)
    page = _detail(client, session)
    assert "join the waitlist" not in page
    assert "You&#x27;re booked" in page or "You're booked" in page


def test_booking_opens_is_stated_with_its_time_zone(clock, client):
    session = _session(days=30, booking_opens_days=21)
    page = _detail(client, session)
    # 30 days ahead at 12:00 EST is 1 April 13:00 EDT; minus 21 days: Wed 11 Mar 13:00 EDT.
    assert "Booking opens on Wed 11 Mar, 13:00 (EDT)" in page


def test_the_meeting_link_time_is_stated_until_the_link_appears(clock, member, client):
    session = _session(
        days=1, format=GroupFormat.VIRTUAL, location=None, virtual_link="https://meet.example/x"
    )
    services.booking_create(session=session, member=member)
    client.force_login(member)
    # Tuesday 3 March 12:00 EST start; the link shows 30 minutes before.
    for page in (
        _detail(client, session),
        client.get(reverse("groups:booking-list")).content.decode(),
    ):
        assert "The meeting link appears here at Tue 3 Mar, 11:30 (EST)." in page
        assert "https://meet.example/x" not in page
    clock.move_to(session.starts_at - dt.timedelta(minutes=29))
    client.force_login(member)  # a day later: the idle sign-in has expired
    page = _detail(client, session)
    assert "https://meet.example/x" in page and "The meeting link appears" not in page


def test_the_waitlist_email_does_not_say_booking(clock, member, mailoutbox):
    session = _session(capacity=1, name="Tuesday Circle")
    services.booking_create(session=session, member=UserFactory())
    services.booking_create(session=session, member=member)
    dispatch_due()
    [message] = [m for m in mailoutbox if member.email in m.to]
    assert message.subject.startswith("You're on the waitlist for Wed 4 Mar 2026")
    assert "Tuesday Circle" not in message.subject


def test_cancelling_my_booking_sends_me_an_email(clock, member, mailoutbox):
    session = _session(name="Tuesday Circle")
    booking = services.booking_create(session=session, member=member)
    dispatch_due()
    mailoutbox.clear()
    clock.shift(dt.timedelta(minutes=5))
    services.booking_cancel(booking=booking, actor=member)
    dispatch_due()
    [message] = [m for m in mailoutbox if member.email in m.to]
    assert message.subject == "Cancelled: your place on Wed 4 Mar 2026, 12:00"
    assert "You cancelled your place at Tuesday Circle" in message.body


def test_past_bookings_are_listed_with_attendance(clock, member, staff, client):
    session = _session(days=1)
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    clock.move_to(session.starts_at + dt.timedelta(minutes=5))
    services.attendance_mark(actor=staff, booking=booking, attendance="attended")
    clock.move_to(session.ends_at + dt.timedelta(days=1))
    client.force_login(member)  # signed in after the clock moved
    page = client.get(reverse("groups:booking-list")).content.decode()
    assert "Past sessions" in page
    assert "<td>Booked</td><td>Attended</td>" in page
