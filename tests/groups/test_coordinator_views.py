"""For coordinators (issue #16 part 4): who is coming per session, and the standing report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerportal.groups import services, standing
from peerportal.groups.models import Booking
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory

NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def group(clock):
    group = SupportGroupFactory(
        capacity=3, horizon_weeks=4, standing_places_allowed=True, booking_opens_days=60
    )
    services.group_sessions_generate(group=group)
    return group


def test_the_group_page_shows_regulars_one_offs_and_the_waitlist_per_session(
    group, member, coordinator_client
):
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    first = group.sessions.order_by("starts_at").first()
    for person in UserFactory.create_batch(3):  # 2 one-offs fill the seats, 1 waits
        services.booking_create(session=first, member=person)
    response = coordinator_client.get(reverse("groups:group-sessions", args=[group.pk]))
    body = response.content.decode()
    row = body.split(reverse("groups:session-roster", args=[first.pk]))[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split("<td>")[1:]] == ["1", "2", "3", "1", "0"]
    assert member.display_name not in body, "counts only; names stay on the roster"


def test_the_roster_marks_regulars_and_one_offs(group, member, staff, staff_client):
    group.facilitators.add(staff)
    standing.standing_place_join(group=group, member=member, cadence="weekly")
    first = group.sessions.order_by("starts_at").first()
    services.booking_create(session=first, member=UserFactory())
    body = staff_client.get(reverse("groups:session-roster", args=[first.pk])).content.decode()
    assert body.count(">Regular<") == 1 and body.count(">One-off<") == 1


def test_the_report_counts_standing_places_skips_and_no_shows_with_small_counts_hidden(
    group, clock, staff, coordinator, coordinator_client
):
    group.facilitators.add(staff)
    regulars = UserFactory.create_batch(6)
    group.capacity = 12
    group.standing_share_percent = 100
    group.save()
    for person in regulars:
        standing.standing_place_join(group=group, member=person, cadence="weekly")
    second = group.sessions.order_by("starts_at")[1]
    for person in regulars[:2]:
        services.booking_cancel(
            booking=Booking.objects.get(member=person, session=second), actor=person
        )
    first = group.sessions.order_by("starts_at").first()
    clock.move_to(first.starts_at)
    for person in regulars:
        services.attendance_mark(
            actor=staff,
            booking=Booking.objects.get(member=person, session=first),
            attendance="no_show",
        )
    clock.move_to(first.ends_at + dt.timedelta(hours=1))
    coordinator_client.force_login(coordinator)  # signed in again after the clock moved
    body = coordinator_client.get(reverse("reports:groups:overview")).content.decode()
    table = body.split("Dates skipped")[1]
    row = table.split(group.name)[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split("<td>")[1:]] == ["6", "&lt;5", "6"]
