"""Editing a group's schedule: future sessions move, are cancelled (members told) or removed,
new ones are added, past ones never change — and the confirmation says exactly that."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import Organization
from peerportal.groups import services
from peerportal.groups.exceptions import GroupHasBookings, InvalidGroup, PlanChanged
from peerportal.groups.models import BookingStatus, SessionStatus, SupportGroup
from peerportal.groups.planning import schedule_plan
from peerportal.reminders.models import Reminder
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC)  # Monday 10:00 in New York
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def group():
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    group = SupportGroupFactory(
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=dt.date(2027, 1, 5),
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
        horizon_weeks=4,
        capacity=5,
        booking_opens_days=60,
    )
    services.group_sessions_generate(group=group)
    return group


def local(session) -> tuple[dt.date, dt.time, dt.time]:
    start = session.starts_at.astimezone(NY)
    return start.date(), start.time(), session.ends_at.astimezone(NY).time()


def session_on(group, day: dt.date):
    return next(s for s in group.sessions.all() if s.starts_at.astimezone(NY).date() == day)


def book(session, n=1):
    return [services.booking_create(session=session, member=UserFactory()) for _ in range(n)]


def reload(group) -> SupportGroup:
    return SupportGroup.objects.get(pk=group.pk)


def test_the_group_starts_with_four_tuesdays(group):
    assert [local(s) for s in group.sessions.all()] == [
        (dt.date(2027, 1, d), dt.time(18), dt.time(19, 30)) for d in (5, 12, 19, 26)
    ]


def test_a_new_time_moves_every_future_session_and_tells_the_booked_members(group):
    booked = book(session_on(group, dt.date(2027, 1, 12)), 2)
    ids = set(group.sessions.values_list("pk", flat=True))
    edited = reload(group)
    edited.start_time, edited.end_time = dt.time(18, 30), dt.time(20)

    plan = services.group_save(actor=None, group=edited)

    assert (len(plan.visible_moves), plan.moved_bookings, len(plan.cancels)) == (4, 2, 0)
    assert (len(plan.removals), len(plan.creates)) == (0, 0)
    assert set(group.sessions.values_list("pk", flat=True)) == ids, "the same sessions, moved"
    assert {local(s)[1:] for s in group.sessions.all()} == {(dt.time(18, 30), dt.time(20))}
    for booking in booked:
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        assert Reminder.objects.filter(kind="session_moved", recipient=booking.member).exists()


def test_a_new_day_cancels_booked_sessions_removes_unbooked_ones_and_adds_new_ones(group):
    booked_session = session_on(group, dt.date(2027, 1, 12))
    book(booked_session, 2)
    edited = reload(group)
    edited.rrule = "FREQ=WEEKLY;BYDAY=WE"

    plan = services.group_save(actor=None, group=edited)

    assert (len(plan.cancels), plan.cancelled_bookings) == (1, 2)
    assert (len(plan.removals), len(plan.creates), len(plan.visible_moves)) == (3, 4, 0)
    booked_session.refresh_from_db()
    assert booked_session.status == SessionStatus.CANCELLED
    assert Reminder.objects.filter(kind="session_cancelled").count() == 2
    scheduled = [local(s)[0] for s in group.sessions.scheduled()]
    assert scheduled == [dt.date(2027, 1, d) for d in (6, 13, 20, 27)]


def test_past_sessions_are_never_touched(group, clock):
    first = session_on(group, dt.date(2027, 1, 5))
    book(first)
    clock.move_to(dt.datetime(2027, 1, 6, 15, tzinfo=dt.UTC))
    edited = reload(group)
    edited.rrule, edited.start_time, edited.end_time = (
        "FREQ=WEEKLY;BYDAY=MO",
        dt.time(9),
        dt.time(10),
    )

    services.group_save(actor=None, group=edited)

    first.refresh_from_db()
    assert local(first) == (dt.date(2027, 1, 5), dt.time(18), dt.time(19, 30))
    assert first.status == SessionStatus.SCHEDULED


def test_skipping_a_date_removes_or_cancels_that_session(group):
    book(session_on(group, dt.date(2027, 1, 19)))
    edited = reload(group)
    edited.skipped_dates = ["2027-01-12", "2027-01-19"]

    plan = services.group_save(actor=None, group=edited)

    assert (len(plan.removals), len(plan.cancels), len(plan.creates)) == (1, 1, 0)
    assert [local(s)[0] for s in group.sessions.scheduled()] == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 26),
    ]
    assert services.group_sessions_generate(group=reload(group)) == 0, "skipped stays skipped"


def test_a_session_moved_by_hand_keeps_its_time_when_something_else_changes(group):
    session = session_on(group, dt.date(2027, 1, 12))
    services.session_move(
        actor=None,
        session=session,
        starts_at=dt.datetime(2027, 1, 13, 17, tzinfo=NY),
        ends_at=dt.datetime(2027, 1, 13, 18, tzinfo=NY),
    )
    edited = reload(group)
    edited.name = "A new name"

    plan = services.group_save(actor=None, group=edited)

    assert plan.is_empty
    session.refresh_from_db()
    assert local(session)[:2] == (dt.date(2027, 1, 13), dt.time(17))
    assert group.sessions.count() == 4


def test_a_shorter_horizon_keeps_sessions_that_are_still_on_the_schedule(group):
    edited = reload(group)
    edited.horizon_weeks = 1
    assert services.group_save(actor=None, group=edited).is_empty
    assert group.sessions.count() == 4


def test_monthly_second_tuesday_keeps_the_matching_session(group, clock):
    book(session_on(group, dt.date(2027, 1, 19)))
    edited = reload(group)
    edited.rrule = "FREQ=MONTHLY;BYDAY=2TU"
    edited.horizon_weeks = 8
    plan = services.group_save(actor=None, group=edited)
    assert (len(plan.removals), len(plan.cancels), len(plan.creates)) == (2, 1, 1)
    assert [local(s)[0] for s in group.sessions.scheduled()] == [
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
    ]


def test_a_time_change_across_dst_keeps_the_local_time(group, clock):
    clock.move_to(dt.datetime(2027, 3, 1, 15, tzinfo=dt.UTC))
    edited = reload(group)
    edited.start_time, edited.end_time = dt.time(18, 30), dt.time(20)
    services.group_save(actor=None, group=edited)
    future = [s for s in group.sessions.all() if s.starts_at > timezone.now()]
    days = [local(s)[0] for s in future]
    assert dt.date(2027, 3, 9) in days and dt.date(2027, 3, 16) in days  # DST began 14 March
    assert {local(s)[1] for s in future} == {dt.time(18, 30)}
    assert {s.starts_at.astimezone(dt.UTC).hour for s in future} == {23, 22}


def test_a_booking_made_after_the_confirmation_asks_again(group):
    edited = reload(group)
    edited.rrule = "FREQ=WEEKLY;BYDAY=WE"
    seen = schedule_plan(group=edited, tz=NY).fingerprint()
    book(session_on(group, dt.date(2027, 1, 12)))
    with pytest.raises(PlanChanged):
        services.group_save(actor=None, group=edited, expected_plan=seen)
    assert group.sessions.count() == 4, "nothing changed"


def test_the_service_refuses_impossible_settings_itself(group):
    for field, value in [
        ("end_time", dt.time(17)),
        ("horizon_weeks", 10000),
        ("capacity", 0),
        ("rrule", "FREQ=MINUTELY"),
        ("first_date", dt.date(1900, 1, 1)),
        ("skipped_dates", ["2027-01-13"]),
    ]:
        edited = reload(group)
        setattr(edited, field, value)
        with pytest.raises(InvalidGroup):
            services.group_save(actor=None, group=edited)
    assert reload(group).rrule == "FREQ=WEEKLY;BYDAY=TU"


def test_generation_is_bounded(group):
    edited = reload(group)
    edited.rrule, edited.horizon_weeks = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", 26
    services.group_save(actor=None, group=edited)
    assert group.sessions.count() <= 26 * 7


# --- Archive and delete -----------------------------------------------------------------
def test_archiving_cancels_booked_sessions_removes_the_rest_and_hides_the_group(group):
    booked = book(session_on(group, dt.date(2027, 1, 19)))[0]
    plan = services.group_archive(actor=None, group=group)
    assert (len(plan.cancels), plan.cancelled_bookings, len(plan.removals)) == (1, 1, 3)
    group.refresh_from_db()
    assert group.is_archived
    assert not SupportGroup.objects.published().filter(pk=group.pk).exists()
    assert services.group_sessions_generate(group=group) == 0
    assert Reminder.objects.filter(kind="session_cancelled", recipient=booked.member).exists()
    assert list(group.sessions.values_list("status", flat=True)) == [SessionStatus.CANCELLED]


def test_a_group_with_bookings_cannot_be_deleted(group):
    book(session_on(group, dt.date(2027, 1, 5)))
    with pytest.raises(GroupHasBookings):
        services.group_delete(actor=None, group=group)
    assert SupportGroup.objects.filter(pk=group.pk).exists()


def test_a_group_that_never_had_bookings_can_be_deleted(group):
    services.group_delete(actor=None, group=group)
    assert not SupportGroup.objects.filter(pk=group.pk).exists()


# --- Through the pages --------------------------------------------------------------------
def form_data(group, **changes):
    data = {
        "name": group.name,
        "description": group.description,
        "audience": group.audience,
        "language": group.language,
        "format": group.format,
        "location": group.location_id,
        "capacity": group.capacity,
        "link_visible_minutes": group.link_visible_minutes,
        "repeat": "weekly",
        "weekdays": ["1"],
        "interval": "1",
        "ordinal": "1",
        "month_weekday": "1",
        "first_date": group.first_date.isoformat(),
        "until": "",
        "start_time": "18:00",
        "end_time": "19:30",
        "skipped": "",
        "horizon_weeks": group.horizon_weeks,
        "booking_opens_days": group.booking_opens_days,
        "booking_closes_minutes": group.booking_closes_minutes,
        "cancellation_cutoff_hours": group.cancellation_cutoff_hours,
        "is_published": "on",
    }
    data.update(changes)
    return data


def test_the_confirmation_counts_only_real_bookings(coordinator_client, group):
    url = reverse("groups:group-edit", args=[group.pk])
    response = coordinator_client.post(url, form_data(group, weekdays=["2"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "4 sessions without bookings are removed." in page
    assert "4 new sessions are added." in page
    assert "booked" not in page.split('id="schedule-plan"')[1].split("</ul>")[0]
    assert group.sessions.count() == 4 and reload(group).rrule == "FREQ=WEEKLY;BYDAY=TU"

    confirm = response.context["plan"].fingerprint()
    response = coordinator_client.post(url, form_data(group, weekdays=["2"], confirm_plan=confirm))
    assert response.status_code == 302
    assert reload(group).rrule == "FREQ=WEEKLY;BYDAY=WE"
    assert [local(s)[0].weekday() for s in group.sessions.all()] == [2, 2, 2, 2]


def test_the_confirmation_names_moves_cancellations_and_members_told(coordinator_client, group):
    book(session_on(group, dt.date(2027, 1, 12)), 2)
    book(session_on(group, dt.date(2027, 1, 19)), 3)
    response = coordinator_client.post(
        reverse("groups:group-edit", args=[group.pk]),
        form_data(group, start_time="18:30", end_time="20:00", skipped="2027-01-19"),
    )
    page = response.content.decode()
    assert "3 sessions move to 18:30–20:00 (same dates)." in page
    assert "The 2 members booked or waiting are told by email." in page
    assert "1 session with bookings is no longer on the schedule: it is cancelled." in page
    assert "The 3 members booked or waiting are told by email." in page
    assert "Tue 19 Jan 2027, 18:00" in page
    assert "Every Tuesday, 18:30–20:00, from 5 Jan 2027, except 19 Jan 2027" in page


def test_an_edit_that_changes_no_session_saves_without_asking(coordinator_client, group):
    response = coordinator_client.post(
        reverse("groups:group-edit", args=[group.pk]), form_data(group, name="Renamed circle")
    )
    assert response.status_code == 302
    assert reload(group).name == "Renamed circle"


def test_the_moved_and_cancelled_emails_carry_the_year(
    group, mailoutbox, django_capture_on_commit_callbacks
):
    from peerportal.reminders.dispatch import dispatch_due

    member = book(session_on(group, dt.date(2027, 1, 12)))[0].member
    waiting = book(session_on(group, dt.date(2027, 1, 19)))[0].member
    edited = reload(group)
    edited.start_time, edited.end_time = dt.time(18, 30), dt.time(20)
    edited.skipped_dates = ["2027-01-19"]
    with django_capture_on_commit_callbacks(execute=True):
        services.group_save(actor=None, group=edited)
    dispatch_due()  # whatever the after-commit nudge did not send yet
    subjects = {(m.to[0], m.subject) for m in mailoutbox}
    assert (member.email, "New time for your session: Tue 12 Jan 2027, 18:30") in subjects
    assert (waiting.email, "Cancelled: your session on Tue 19 Jan 2027, 18:00") in subjects
    assert all(group.name not in subject for _to, subject in subjects)


def test_a_stale_confirmation_shows_the_new_plan_and_changes_nothing(coordinator_client, group):
    url = reverse("groups:group-edit", args=[group.pk])
    seen = coordinator_client.post(url, form_data(group, weekdays=["2"])).context["plan"]
    book(session_on(group, dt.date(2027, 1, 12)), 2)  # someone books meanwhile
    response = coordinator_client.post(
        url, form_data(group, weekdays=["2"], confirm_plan=seen.fingerprint())
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed while you were reviewing" in page
    assert "The 2 members booked or waiting are told by email." in page
    assert reload(group).rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert group.sessions.scheduled().count() == 4
