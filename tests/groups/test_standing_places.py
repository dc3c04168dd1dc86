"""Standing places (issue #16 part 1): a seat in each coming session, skip, pause, leave.

The clock is pinned at Monday 2 March 2026, 12:00 New York time; the group meets on
Tuesdays at 18:00, so the 8-week horizon runs across the DST change of 8 March.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from peerportal.groups import services, standing
from peerportal.groups.exceptions import GroupsError
from peerportal.groups.models import (
    Booking,
    BookingStatus,
    StandingPlace,
    StandingStatus,
    WaitlistOffer,
)
from peerportal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def _group(**kwargs):
    defaults = {
        "capacity": 3,
        "horizon_weeks": 8,
        "standing_places_allowed": True,
        "standing_share_percent": 100,
        "booking_opens_days": 60,
    }
    group = SupportGroupFactory(**{**defaults, **kwargs})
    services.group_sessions_generate(group=group)
    return group


def _held_dates(member, group) -> list[dt.date]:
    return [
        b.session.starts_at.astimezone(NY).date()
        for b in Booking.objects.filter(
            member=member, session__group=group, status=BookingStatus.CONFIRMED
        ).order_by("session__starts_at")
    ]


def _tuesdays(n, start=dt.date(2026, 3, 3), step=1):
    return [start + dt.timedelta(weeks=i * step) for i in range(n)]


def test_a_standing_place_across_eight_sessions_with_a_skip_and_a_pause(clock, member):
    group = _group()
    assert group.sessions.count() == 8
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    assert _held_dates(member, group) == _tuesdays(8)
    assert all(b.standing_place == place for b in Booking.objects.filter(member=member)), (
        "the seats are ordinary bookings made for the place"
    )
    assert Reminder.objects.filter(kind="session_upcoming", recipient=member).count() == 16

    # Skip 17 March: the seat is freed, and regenerating does not give it back.
    skipped = Booking.objects.get(member=member, session__starts_at__date=dt.date(2026, 3, 17))
    services.booking_cancel(booking=skipped, actor=member)
    services.group_sessions_generate(group=group)
    # Pause 31 March to 7 April.
    standing.standing_place_pause(
        place=place,
        member=member,
        paused_from=dt.date(2026, 3, 31),
        paused_until=dt.date(2026, 4, 7),
    )
    expected = [
        d
        for d in _tuesdays(8)
        if d not in {dt.date(2026, 3, 17), dt.date(2026, 3, 31), dt.date(2026, 4, 7)}
    ]
    assert _held_dates(member, group) == expected
    # Every seat is at 18:00 local time on both sides of the DST change.
    times = {
        b.session.starts_at.astimezone(NY).time()
        for b in Booking.objects.filter(member=member, status=BookingStatus.CONFIRMED)
    }
    assert times == {dt.time(18)}

    # A week later, the new session at the end of the horizon gets the seat too.
    clock.move_to(NOW + dt.timedelta(weeks=1))
    services.group_sessions_generate(group=group)
    assert _held_dates(member, group)[-1] == dt.date(2026, 4, 28)


def test_every_other_week_counts_weeks_in_local_time_across_dst(clock, member):
    group = _group()
    standing.standing_place_join(group=group, member=member, cadence="fortnightly")
    assert _held_dates(member, group) == _tuesdays(4, step=2)


def test_standing_places_keep_to_their_share_and_leave_the_rest_open(clock, member, other_member):
    group = _group(standing_share_percent=34)  # 1 of 3 seats
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    standing.standing_place_join(group=group, member=other_member, cadence="weekly")
    assert len(_held_dates(member, group)) == 8
    assert _held_dates(other_member, group) == []
    session = group.sessions.first()
    for _ in range(2):
        assert services.booking_create(session=session, member=UserFactory()).status == "confirmed"


def test_a_skip_gives_the_seat_to_the_waitlist_at_once(clock, member):
    group = _group(capacity=1, cancellation_cutoff_hours=0)
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    first, second = group.sessions.order_by("starts_at")[:2]
    waiting = [services.booking_create(session=s, member=UserFactory()) for s in (first, second)]
    assert {w.status for w in waiting} == {BookingStatus.WAITLISTED}
    # 30 hours before the first session (outside the 24-hour offer window): promoted.
    services.booking_cancel(booking=Booking.objects.get(member=member, session=first), actor=member)
    waiting[0].refresh_from_db()
    assert waiting[0].status == BookingStatus.CONFIRMED
    # Inside the window of the second session: offered for a while.
    clock.move_to(second.starts_at - dt.timedelta(hours=5))
    services.booking_cancel(
        booking=Booking.objects.get(member=member, session=second), actor=member
    )
    assert WaitlistOffer.objects.get().booking == waiting[1]


def test_joining_is_refused_clearly_where_it_is_not_allowed(clock, member):
    group = _group(standing_places_allowed=False)
    with pytest.raises(GroupsError, match="does not offer standing places"):
        standing.standing_place_join(group=group, member=member, cadence="weekly")
    assert not StandingPlace.objects.exists()
    group = _group()
    with pytest.raises(GroupsError, match="every week or every other week"):
        standing.standing_place_join(group=group, member=member, cadence="daily")
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    with pytest.raises(GroupsError, match="already hold"):
        standing.standing_place_join(group=group, member=member, cadence="weekly")


def test_leaving_frees_every_coming_seat_without_an_email_per_session(clock, member):
    group = _group()
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    standing.standing_place_leave(place=place, member=member)
    assert _held_dates(member, group) == []
    assert StandingPlace.objects.get().status == StandingStatus.ENDED
    assert not Reminder.objects.filter(kind="booking_cancelled").exists()
    services.group_sessions_generate(group=group)
    assert _held_dates(member, group) == []


def test_missing_sessions_in_a_row_asks_then_releases_the_place(clock, member, staff, mailoutbox):
    group = _group(standing_missed_limit=2, standing_answer_days=7)
    group.facilitators.add(staff)
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    sessions = list(group.sessions.order_by("starts_at")[:2])
    for session in sessions:
        clock.move_to(session.starts_at)
        booking = Booking.objects.get(member=member, session=session)
        services.attendance_mark(actor=staff, booking=booking, attendance="no_show")
    clock.move_to(sessions[0].starts_at + dt.timedelta(days=1))
    assert standing.standing_places_check() == {"asked": 0, "ended": 0}, "one miss is not enough"
    asked_at = sessions[1].ends_at + dt.timedelta(hours=15)
    clock.move_to(asked_at)
    assert standing.standing_places_check() == {"asked": 1, "ended": 0}
    place.refresh_from_db()
    assert place.status == StandingStatus.ASKED
    assert place.answer_by == asked_at + dt.timedelta(days=7)
    from peerportal.reminders.dispatch import dispatch_due

    dispatch_due()
    [message] = [m for m in mailoutbox if "Keep your standing place" in m.subject]
    assert group.name not in message.subject
    clock.move_to(place.answer_by + dt.timedelta(minutes=1))
    assert standing.standing_places_check() == {"asked": 0, "ended": 1}
    place.refresh_from_db()
    assert place.status == StandingStatus.ENDED
    assert not Booking.objects.filter(
        member=member, status=BookingStatus.CONFIRMED, session__starts_at__gt=place.ended_at
    ).exists()


def test_keeping_the_place_stops_the_question_and_restarts_the_count(clock, member, staff):
    group = _group(standing_missed_limit=1)
    group.facilitators.add(staff)
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    session = group.sessions.order_by("starts_at").first()
    clock.move_to(session.starts_at)
    services.attendance_mark(
        actor=staff,
        booking=Booking.objects.get(member=member, session=session),
        attendance="no_show",
    )
    clock.move_to(session.ends_at + dt.timedelta(hours=1))
    standing.standing_places_check()
    standing.standing_place_keep(place=place, member=member)
    clock.move_to(session.ends_at + dt.timedelta(days=10))
    assert standing.standing_places_check() == {"asked": 0, "ended": 0}
    place.refresh_from_db()
    assert place.status == StandingStatus.ACTIVE


# --- Views ----------------------------------------------------------------------------------
def test_member_takes_a_standing_place_from_the_group_page_and_sees_it(clock, member, client):
    group = _group()
    client.force_login(member)
    page = client.get(reverse("groups:group-detail", args=[group.pk])).content.decode()
    assert "Take a standing place" in page
    response = client.post(
        reverse("groups:standing-join", args=[group.pk]), {"cadence": "fortnightly"}, follow=True
    )
    body = response.content.decode()
    assert "You hold a standing place" in body
    assert "Every other week" in body
    assert body.count("Seat held") == 4
    page = client.get(reverse("groups:group-detail", args=[group.pk])).content.decode()
    assert "Skip this date" in page


def test_a_bad_pause_gets_a_clear_message_and_changes_nothing(clock, member, client):
    group = _group()
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    client.force_login(member)
    url = reverse("groups:standing-pause", args=[place.pk])
    for data, message in [
        (
            {"paused_from": "2026-03-20", "paused_until": "2026-03-10"},
            "on or after the day it starts",
        ),
        ({"paused_from": "2026-02-20", "paused_until": "2026-03-10"}, "cannot start in the past"),
        ({"paused_from": "2026-03-20", "paused_until": "2027-03-10"}, "at most 26 weeks"),
        ({"paused_from": "soon", "paused_until": "2026-03-10"}, "Enter a valid date"),
    ]:
        body = client.post(url, data, follow=True).content.decode()
        assert message in body, message
    place.refresh_from_db()
    assert place.paused_from is None
    assert len(_held_dates(member, group)) == 8


def test_pause_and_leave_from_the_page(clock, member, client):
    group = _group()
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    client.force_login(member)
    client.post(
        reverse("groups:standing-pause", args=[place.pk]),
        {"paused_from": "2026-03-03", "paused_until": "2026-03-10"},
    )
    assert _held_dates(member, group) == _tuesdays(6, start=dt.date(2026, 3, 17))
    client.post(reverse("groups:standing-leave", args=[place.pk]))
    assert _held_dates(member, group) == []


def test_another_member_cannot_touch_my_standing_place(clock, member, other_member, client):
    group = _group()
    place = standing.standing_place_join(group=group, member=member, cadence="weekly")
    client.force_login(other_member)
    for name in ("standing-pause", "standing-leave", "standing-keep"):
        assert client.post(reverse(f"groups:{name}", args=[place.pk])).status_code == 404
    assert StandingPlace.objects.get().status == StandingStatus.ACTIVE
    assert len(_held_dates(member, group)) == 8


def test_the_calendar_feed_lists_the_standing_seats(clock, member, client):
    from peerportal.accounts.services import feed_token_for

    group = _group()
    standing.standing_place_join(group=group, member=member, cadence="fortnightly")
    token = feed_token_for(user=member).token
    body = client.get(reverse("groups:booking-feed", args=[token])).content.decode()
    assert body.count("BEGIN:VEVENT") == 4


def test_erasing_the_account_ends_the_standing_place_and_frees_its_seats(clock, member):
    from peerportal.accounts.erasure import user_erase

    group = _group()
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    user_erase(user=member)
    assert StandingPlace.objects.get().status == StandingStatus.ENDED
    assert not Booking.objects.filter(status=BookingStatus.CONFIRMED).exists()
    services.group_sessions_generate(group=group)
    assert not Booking.objects.filter(status=BookingStatus.CONFIRMED).exists()
