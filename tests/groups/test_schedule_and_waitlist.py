from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import Organization
from peerportal.groups import services
from peerportal.groups.models import Booking, BookingStatus, GroupFormat
from tests.factories import LocationFactory, UserFactory
from tests.groups.factories import GroupSessionFactory, SupportGroupFactory

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def new_york():
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    return NY


def _next_local(weekday: int, at: dt.time, tz) -> dt.datetime:
    today = timezone.localdate(timezone.now(), tz)
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, at, tzinfo=tz)


# --- Directory filters ------------------------------------------------------------------
def test_day_filter_uses_the_organizations_local_weekday(client, new_york):
    # Tuesday 21:00 in New York is already Wednesday in UTC.
    start = _next_local(1, dt.time(21), NY)
    late = GroupSessionFactory(group__name="Late Tuesday Circle", starts_at=start)
    assert start.astimezone(dt.UTC).weekday() == 2
    url = reverse("groups:group-list")
    names = lambda r: [g["name"] for g in r.context["page"]]  # noqa: E731
    assert names(client.get(url, {"day": 1})) == [late.group.name]
    assert names(client.get(url, {"day": 2})) == []


def test_directory_filters_by_language_and_location(client):
    north, south = LocationFactory(name="North Room"), LocationFactory(name="South Room")
    SupportGroupFactory(name="Circulo en espanol", language="es", location=north)
    SupportGroupFactory(name="English circle", language="en", location=south)
    url = reverse("groups:group-list")
    names = lambda r: [g["name"] for g in r.context["page"]]  # noqa: E731
    assert names(client.get(url, {"language": "es"})) == ["Circulo en espanol"]
    assert names(client.get(url, {"location": south.pk})) == ["English circle"]


# --- Waitlist ---------------------------------------------------------------------------
def test_waitlist_positions_move_up_when_someone_ahead_leaves():
    session = GroupSessionFactory(group__capacity=1)
    holder, *waiting = (
        services.booking_create(session=session, member=UserFactory()) for _ in range(4)
    )
    assert [services.waitlist_position(b) for b in waiting] == [1, 2, 3]
    services.booking_cancel(booking=waiting[0], actor=waiting[0].member)
    rows = Booking.objects.filter(pk__in=[b.pk for b in waiting[1:]]).with_waitlist_position()
    assert sorted(services.waitlist_position(b) for b in rows) == [1, 2]
    services.booking_cancel(booking=holder, actor=holder.member)
    waiting[1].refresh_from_db()
    assert waiting[1].status == BookingStatus.CONFIRMED


def test_waitlist_ties_are_broken_the_same_way_for_positions_and_promotion():
    session = GroupSessionFactory(group__capacity=1)
    holder = services.booking_create(session=session, member=UserFactory())
    a = services.booking_create(session=session, member=UserFactory())
    b = services.booking_create(session=session, member=UserFactory())
    same = timezone.now()
    Booking.objects.filter(pk__in=[a.pk, b.pk]).update(waitlisted_at=same)
    positions = {
        x.pk: services.waitlist_position(x)
        for x in Booking.objects.filter(session=session).with_waitlist_position()
        if x.status == BookingStatus.WAITLISTED
    }
    assert positions == {a.pk: 1, b.pk: 2}
    services.booking_cancel(booking=holder, actor=holder.member)
    a.refresh_from_db()
    assert a.status == BookingStatus.CONFIRMED


def test_cancelling_on_the_page_promotes_the_first_waitlisted(
    member_client, member, other_member_client, other_member
):
    session = GroupSessionFactory(group__capacity=1)
    mine = services.booking_create(session=session, member=member)
    services.booking_create(session=session, member=other_member)
    response = member_client.post(reverse("groups:booking-cancel", args=[mine.pk]))
    assert response.status_code == 302
    page = other_member_client.get(reverse("groups:booking-list")).content.decode()
    assert "Booked" in page and "Waitlist position" not in page


def test_my_bookings_query_count_does_not_grow_with_waitlisted_bookings(member_client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(reverse("groups:booking-list")).status_code == 200
        return len(ctx.captured_queries)

    def waitlist_one():
        session = GroupSessionFactory(group__capacity=1)
        services.booking_create(session=session, member=UserFactory())
        services.booking_create(session=session, member=member)

    waitlist_one()
    count()  # the first visit creates the calendar-feed token
    small = count()
    for _ in range(6):
        waitlist_one()
    assert count() == small


# --- Meeting link -----------------------------------------------------------------------
def test_link_shows_from_the_groups_own_number_of_minutes_before_start(
    member_client, member, staff_client, staff
):
    session = GroupSessionFactory(
        starts_at=timezone.now() + dt.timedelta(minutes=45),
        group__format=GroupFormat.VIRTUAL,
        group__location=None,
        group__virtual_link="https://meet.example.org/room-45",
        group__booking_closes_minutes=5,
    )
    session.group.facilitators.add(staff)
    services.booking_create(session=session, member=member)
    group_url = reverse("groups:group-detail", args=[session.group_id])
    roster_url = reverse("groups:session-roster", args=[session.pk])
    assert "room-45" not in member_client.get(group_url).content.decode()  # default 30 min
    assert "room-45" not in staff_client.get(roster_url).content.decode()
    session.group.link_visible_minutes = 60
    session.group.save()
    assert "room-45" in member_client.get(group_url).content.decode()
    assert "room-45" in staff_client.get(roster_url).content.decode()


# --- Privacy ----------------------------------------------------------------------------
def test_fragments_emails_and_exports_never_name_other_members(
    member_client,
    member,
    other_member,
    coordinator_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from peerportal.reminders.dispatch import dispatch_due

    session = GroupSessionFactory(group__capacity=1)
    other = services.booking_create(session=session, member=other_member)
    htmx = {"HX-Request": "true"}
    booked = member_client.post(reverse("groups:booking-create", args=[session.pk]), headers=htmx)
    mine = Booking.objects.get(session=session, member=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=other, actor=other_member)  # promotes member
    dispatch_due()
    left = member_client.post(reverse("groups:booking-cancel", args=[mine.pk]), headers=htmx)
    csv = coordinator_client.get(reverse("reports:groups:overview-csv"))
    emails = [m for m in mailoutbox if member.email in m.to]
    assert emails, "the member was emailed"
    texts = [booked.content.decode(), left.content.decode(), csv.content.decode()]
    texts += [m.subject + m.body for m in emails]
    texts += [alt[0] for m in emails for alt in getattr(m, "alternatives", [])]
    for text in texts:
        assert other_member.display_name not in text
        assert other_member.email not in text
    assert member.display_name not in csv.content.decode()


def test_attendance_rate_shows_once_five_people_are_marked(coordinator_client, staff):
    session = GroupSessionFactory(
        starts_at=timezone.now() - dt.timedelta(days=1), group__capacity=10
    )
    for seat, attendance in enumerate(["attended"] * 4 + ["no_show"], start=1):
        Booking.objects.create(
            session=session,
            member=UserFactory(),
            status=BookingStatus.CONFIRMED,
            seat=seat,
            attendance=attendance,
        )
    page = coordinator_client.get(reverse("reports:groups:overview")).content.decode()
    assert "80%" in page
