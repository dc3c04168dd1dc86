from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peerportal.accounts.services import feed_token_for
from peerportal.groups import services
from peerportal.groups.models import BookingStatus, GroupFormat
from tests.factories import UserFactory, org_localdate
from tests.groups.factories import GroupSessionFactory, SupportGroupFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_directory_filters_by_topic_format_and_search(client):
    grief = TopicFactory(name="Grief")
    a = SupportGroupFactory(name="Evening Grief Circle")
    a.topics.add(grief)
    SupportGroupFactory(
        name="Morning Walk",
        format=GroupFormat.VIRTUAL,
        location=None,
        virtual_link="https://meet.example.org/x",
    )
    SupportGroupFactory(name="Hidden Draft", is_published=False)
    names = lambda r: [g["name"] for g in r.context["page"]]  # noqa: E731
    assert names(client.get(reverse("groups:group-list"))) == [
        "Evening Grief Circle",
        "Morning Walk",
    ]
    assert names(client.get(reverse("groups:group-list"), {"topic": grief.pk})) == [
        "Evening Grief Circle"
    ]
    assert names(client.get(reverse("groups:group-list"), {"format": "virtual"})) == [
        "Morning Walk"
    ]
    assert names(client.get(reverse("groups:group-list"), {"q": "walk"})) == ["Morning Walk"]


def test_unpublished_groups_are_404(client):
    group = SupportGroupFactory(is_published=False)
    assert client.get(reverse("groups:group-detail", args=[group.pk])).status_code == 404


def test_member_books_with_plain_post_and_sees_it_in_my_bookings(member_client, member):
    session = GroupSessionFactory()
    response = member_client.post(reverse("groups:booking-create", args=[session.pk]))
    assert response.status_code == 302
    assert session.bookings.get(member=member).status == BookingStatus.CONFIRMED
    page = member_client.get(reverse("groups:booking-list"))
    assert session.group.name in page.content.decode()


def test_member_books_with_htmx_and_gets_the_box_back(member_client, member):
    session = GroupSessionFactory()
    response = member_client.post(
        reverse("groups:booking-create", args=[session.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "You're booked" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_full_session_says_waitlist_clearly(member_client):
    session = GroupSessionFactory(group__capacity=1)
    services.booking_create(session=session, member=UserFactory())
    response = member_client.post(reverse("groups:booking-create", args=[session.pk]), follow=True)
    assert "waitlist" in response.content.decode()


def test_another_members_booking_id_is_404(member, other_member_client):
    booking = services.booking_create(session=GroupSessionFactory(), member=member)
    response = other_member_client.post(reverse("groups:booking-cancel", args=[booking.pk]))
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_members_never_see_other_members(member_client, member, other_member):
    session = GroupSessionFactory(group__capacity=1)
    services.booking_create(session=session, member=other_member)
    services.booking_create(session=session, member=member)
    pages = [
        member_client.get(reverse("groups:group-detail", args=[session.group_id])),
        member_client.get(reverse("groups:booking-list")),
        member_client.get(reverse("core:dashboard")),
        member_client.get(reverse("groups:booking-feed", args=[feed_token_for(user=member).token])),
    ]
    for response in pages:
        assert response.status_code == 200
        assert other_member.display_name not in response.content.decode()


def test_members_cannot_open_a_roster(member_client):
    session = GroupSessionFactory()
    assert member_client.get(reverse("groups:session-roster", args=[session.pk])).status_code == 403


def test_facilitator_sees_display_names_and_marks_attendance(
    staff_client, staff, member, other_staff_client
):
    session = GroupSessionFactory()
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    # Attendance opens shortly before the start: the session is now about to begin.
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + dt.timedelta(minutes=10)
    )
    roster = staff_client.get(reverse("groups:session-roster", args=[session.pk]))
    assert roster.status_code == 200
    from peerportal.core.models import AuditEvent

    assert AuditEvent.objects.filter(
        action="session.roster_read", actor=staff, object_id=str(session.pk)
    ).exists()
    html = roster.content.decode()
    assert member.display_name in html and member.email not in html
    # Staff who don't facilitate this group see nothing of it.
    assert (
        other_staff_client.get(reverse("groups:session-roster", args=[session.pk])).status_code
        == 404
    )
    assert (
        other_staff_client.post(
            reverse("groups:attendance-mark", args=[booking.pk]), {"attendance": "no_show"}
        ).status_code
        == 404
    )
    response = staff_client.post(
        reverse("groups:attendance-mark", args=[booking.pk]),
        {"attendance": "attended"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.attendance == "attended"


def test_virtual_link_only_for_confirmed_members_and_only_shortly_before(
    member_client, member, other_member_client, other_member
):
    start = timezone.now() + dt.timedelta(minutes=20)
    session = GroupSessionFactory(
        starts_at=start,
        group__format=GroupFormat.VIRTUAL,
        group__location=None,
        group__virtual_link="https://meet.example.org/secret-room",
        group__capacity=1,
        group__booking_closes_minutes=5,
    )
    services.booking_create(session=session, member=member)
    services.booking_create(session=session, member=other_member)  # waitlisted
    url = reverse("groups:group-detail", args=[session.group_id])
    assert "secret-room" in member_client.get(url).content.decode()
    assert "secret-room" not in other_member_client.get(url).content.decode()
    later = GroupSessionFactory(group=session.group, starts_at=start + dt.timedelta(days=1))
    services.booking_create(session=later, member=member)
    assert (
        member_client.get(reverse("groups:booking-list")).content.decode().count("secret-room") == 1
    )


def test_personal_feed_lists_confirmed_bookings_and_unknown_tokens_are_404(client, member):
    session = GroupSessionFactory(group__name="Feed Circle")
    services.booking_create(session=session, member=member)
    token = feed_token_for(user=member).token
    response = client.get(reverse("groups:booking-feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"Feed Circle" in response.content
    assert client.get(reverse("groups:booking-feed", args=["not-a-token"])).status_code == 404


@time_machine.travel(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC), tick=False)
def test_coordinator_creates_a_group_and_sessions_appear(coordinator_client, staff):
    topic = TopicFactory(name="Anxiety")
    from tests.factories import LocationFactory

    location = LocationFactory()
    response = coordinator_client.post(
        reverse("groups:group-create"),
        {
            "name": "New Circle",
            "description": "Invented.",
            "topics": [topic.pk],
            "audience": "everyone",
            "language": "en",
            "format": "in_person",
            "location": location.pk,
            "facilitators": [staff.pk],
            "capacity": 8,
            "link_visible_minutes": 30,
            "repeat": "weekly",
            "weekdays": ["0"],
            "interval": "1",
            "first_date": org_localdate().isoformat(),
            "start_time": "18:00",
            "end_time": "19:00",
            "horizon_weeks": 4,
            "booking_opens_days": 21,
            "booking_closes_minutes": 15,
            "cancellation_cutoff_hours": 2,
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    from peerportal.groups.models import SupportGroup

    group = SupportGroup.objects.get(name="New Circle")
    assert group.sessions.count() >= 3


@time_machine.travel(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC), tick=False)
def test_group_form_rejects_bad_recurrence_and_missing_location(coordinator_client):
    response = coordinator_client.post(
        reverse("groups:group-create"),
        {
            "name": "X",
            "description": "Y",
            "audience": "everyone",
            "language": "en",
            "format": "in_person",
            "capacity": 8,
            "link_visible_minutes": 30,
            "repeat": "weekly",
            "weekdays": [],
            "first_date": "2026-12-01",
            "start_time": "18:00",
            "end_time": "19:00",
            "horizon_weeks": 4,
            "booking_opens_days": 21,
            "booking_closes_minutes": 15,
            "cancellation_cutoff_hours": 2,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["weekdays"] == ["Choose at least one day of the week."]
    assert "location" in errors


def test_coordinator_cancels_a_session_after_confirming(coordinator_client, member):
    session = GroupSessionFactory()
    services.booking_create(session=session, member=member)
    url = reverse("groups:session-cancel", args=[session.pk])
    assert "Cancel the session" in coordinator_client.get(url).content.decode()
    assert coordinator_client.post(url, {"notice": "Sorry"}).status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled


def test_group_report_suppresses_small_counts(coordinator_client, member):
    session = GroupSessionFactory(starts_at=timezone.now() - dt.timedelta(days=1))
    from peerportal.groups.models import Booking

    Booking.objects.create(
        session=session,
        member=member,
        status=BookingStatus.CONFIRMED,
        seat=1,
        attendance="attended",
    )
    response = coordinator_client.get(reverse("reports:groups:overview"))
    assert response.status_code == 200
    assert "&lt;5" in response.content.decode()
    csv = coordinator_client.get(reverse("reports:groups:overview-csv"))
    assert b"<5" in csv.content


def test_demo_seed_creates_groups_and_is_idempotent(db):
    from peerportal.core.demo import seed_all
    from peerportal.groups.models import SupportGroup

    seed_all()
    count = SupportGroup.objects.count()
    seed_all()
    assert SupportGroup.objects.count() == count >= 4


def test_large_seed_is_bulk_and_keeps_seats_within_capacity(db, monkeypatch):
    from peerportal.core.demo import seed_core, seed_people
    from peerportal.groups import demo
    from peerportal.groups.models import Booking, SupportGroup

    monkeypatch.setattr(demo, "LARGE_GROUPS", 3)
    monkeypatch.setattr(demo, "LARGE_BOOKINGS", 300)
    seed_core()
    people = seed_people()
    UserFactory.create_batch(10)
    demo.seed(people=people, scale="large")
    demo.seed_large(topics=[])  # idempotent
    bench = SupportGroup.objects.filter(name__startswith="Bench group ")
    assert bench.count() == 3
    assert all(g.sessions.count() == 52 for g in bench)
    bookings = Booking.objects.filter(session__group__in=bench)
    assert bookings.count() > 0
    assert not bookings.filter(seat__gt=40).exists()


def test_roster_offers_attendance_only_once_the_session_is_about_to_start(
    staff_client, staff, member
):
    session = GroupSessionFactory()  # two days ahead
    session.group.facilitators.add(staff)
    booking = services.booking_create(session=session, member=member)
    url = reverse("groups:session-roster", args=[session.pk])
    html = staff_client.get(url).content.decode()
    assert "Attendance can be taken from 30 minutes before the session starts." in html
    assert reverse("groups:attendance-mark", args=[booking.pk]) not in html
    response = staff_client.post(
        reverse("groups:attendance-mark", args=[booking.pk]), {"attendance": "attended"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.attendance == "unknown"
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + dt.timedelta(minutes=5)
    )
    html = staff_client.get(url).content.decode()
    assert reverse("groups:attendance-mark", args=[booking.pk]) in html


def test_sessions_i_facilitate_lists_only_my_groups_for_every_staff_role(
    staff_client, staff, coordinator_client, coordinator
):
    """Field report §5: the coordinator's "Sessions I facilitate" listed every group."""
    mine = GroupSessionFactory(group=SupportGroupFactory(name="Circle I lead"))
    mine.group.facilitators.add(staff, coordinator)
    GroupSessionFactory(group=SupportGroupFactory(name="Someone else's circle"))
    for client in (staff_client, coordinator_client):
        page = client.get(reverse("groups:session-list"))
        assert [s.group.name for s in page.context["page"]] == ["Circle I lead"]


@pytest.mark.parametrize(
    "group_fields",
    [{"is_published": False}, {"archived_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}],
)
def test_booking_a_session_of_an_unpublished_or_archived_group_is_404(member_client, group_fields):
    session = GroupSessionFactory(**{f"group__{k}": v for k, v in group_fields.items()})
    response = member_client.post(reverse("groups:booking-create", args=[session.pk]))
    assert response.status_code == 404
    assert not session.bookings.exists()


def test_booking_twice_says_so_and_writes_nothing(member_client, member):
    session = GroupSessionFactory()
    member_client.post(reverse("groups:booking-create", args=[session.pk]))
    response = member_client.post(reverse("groups:booking-create", args=[session.pk]), follow=True)
    assert "already have a place" in response.content.decode()
    assert session.bookings.filter(member=member).count() == 1
