"""Every guard of the group form, the session move and the preview: a bad value gets a
clear message on the page and changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from peerportal.core.models import Organization
from peerportal.groups import services
from peerportal.groups.models import SupportGroup
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory
from tests.groups.test_schedule_edits import form_data

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC)  # Monday 4 January 2027, 10:00 in New York
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def group():
    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    group = SupportGroupFactory(
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=dt.date(2027, 1, 5),
        horizon_weeks=4,
        booking_opens_days=60,
    )
    services.group_sessions_generate(group=group)
    return group


def snapshot(group):
    fresh = SupportGroup.objects.get(pk=group.pk)
    sessions = list(fresh.sessions.values_list("pk", "starts_at", "ends_at", "status"))
    return {f.name: getattr(fresh, f.name) for f in SupportGroup._meta.concrete_fields}, sessions


GUARDS = [
    ({"end_time": "18:00"}, "end_time", "A session must end after it starts"),
    ({"start_time": "19:00", "end_time": "18:00"}, "end_time", "must end after it starts"),
    ({"end_time": "18:10"}, "end_time", "at least 15 minutes"),
    ({"end_time": "02:10", "start_time": "18:00"}, "end_time", "must end after it starts"),
    ({"start_time": "08:00", "end_time": "17:00"}, "end_time", "at most 8 hours"),
    ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
    ({"capacity": "501"}, "capacity", "less than or equal to 500"),
    ({"horizon_weeks": "0"}, "horizon_weeks", "greater than or equal to 1"),
    ({"horizon_weeks": "10000"}, "horizon_weeks", "less than or equal to 26"),
    ({"booking_opens_days": "0"}, "booking_opens_days", "greater than or equal to 1"),
    ({"cancellation_cutoff_hours": "999"}, "cancellation_cutoff_hours", "less than or equal"),
    ({"first_date": "1900-01-02"}, "first_date", "at most 28 days ago"),
    ({"first_date": "9999-12-31"}, "first_date", "at most two years ahead"),
    ({"first_date": "2026-11-01"}, "first_date", "at most 28 days ago"),
    ({"until": "2026-12-31"}, "until", "before the first date"),
    ({"until": "2031-01-01"}, "until", "at most three years ahead"),
    ({"weekdays": []}, "weekdays", "Choose at least one day of the week"),
    ({"weekdays": ["9"]}, "weekdays", "not one of the available choices"),
    ({"interval": "5"}, "interval", "not one of the available choices"),
    ({"repeat": "minutely"}, "repeat", "not one of the available choices"),
    ({"repeat": "monthly", "ordinal": "5"}, "ordinal", "not one of the available choices"),
    ({"skipped": "2027-01-13"}, "skipped", "doesn't meet on 13 Jan 2027"),
    ({"skipped": "next tuesday"}, "skipped", "is not a date"),
    ({"rrule": "FREQ=MINUTELY", "weekdays": []}, "weekdays", "Choose at least one day"),
]


@pytest.mark.parametrize(("changes", "field", "message"), GUARDS)
def test_a_bad_value_gets_a_clear_message_and_changes_nothing(
    coordinator_client, group, changes, field, message
):
    before = snapshot(group)
    response = coordinator_client.post(
        reverse("groups:group-edit", args=[group.pk]), form_data(group, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in e for e in errors[field]), errors[field]
    assert "Constraint" not in response.content.decode()
    assert snapshot(group) == before


def test_an_existing_group_keeps_its_old_first_date(coordinator_client, group):
    SupportGroup.objects.filter(pk=group.pk).update(first_date=dt.date(2026, 6, 2))  # a Tuesday
    group.refresh_from_db()
    response = coordinator_client.post(
        reverse("groups:group-edit", args=[group.pk]), form_data(group, name="Still running")
    )
    assert response.status_code == 302
    assert SupportGroup.objects.get(pk=group.pk).name == "Still running"


def test_a_new_group_needs_a_recent_first_date(coordinator_client, group):
    data = form_data(group, name="Brand new", first_date="2026-01-05")
    response = coordinator_client.post(reverse("groups:group-create"), data)
    assert "first_date" in response.context["form"].errors
    assert not SupportGroup.objects.filter(name="Brand new").exists()


def test_the_builder_saves_weekly_tuesday_and_thursday_every_other_week(coordinator_client, group):
    data = form_data(group, name="Builder", weekdays=["1", "3"], interval="2")
    assert coordinator_client.post(reverse("groups:group-create"), data).status_code == 302
    created = SupportGroup.objects.get(name="Builder")
    assert created.rrule == "FREQ=WEEKLY;BYDAY=TU,TH;INTERVAL=2"
    days = [s.starts_at.astimezone(NY).date() for s in created.sessions.all()]
    assert days == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 7),
        dt.date(2027, 1, 19),
        dt.date(2027, 1, 21),
    ]


def test_the_builder_saves_the_last_friday_with_a_skipped_date(coordinator_client, group):
    data = form_data(
        group,
        name="Monthly",
        repeat="monthly",
        ordinal="-1",
        month_weekday="4",
        horizon_weeks="12",
        skipped="2027-02-26",
    )
    assert coordinator_client.post(reverse("groups:group-create"), data).status_code == 302
    created = SupportGroup.objects.get(name="Monthly")
    assert created.rrule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert created.skipped_dates == ["2027-02-26"]
    days = [s.starts_at.astimezone(NY).date() for s in created.sessions.all()]
    assert days == [dt.date(2027, 1, 29), dt.date(2027, 3, 26)]


def test_the_edit_form_shows_the_builder_filled_from_the_stored_rule(coordinator_client, group):
    response = coordinator_client.get(reverse("groups:group-edit", args=[group.pk]))
    form = response.context["form"]
    assert form.initial["repeat"] == "weekly" and form.initial["weekdays"] == [1]
    page = response.content.decode()
    assert "Every Tuesday, 18:00–19:30, from 5 Jan 2027" in page
    assert "Tue 5 Jan 2027, 18:00–19:30" in page
    assert "FREQ=" not in page, "the rule is internal"


def test_the_preview_fragment_summarises_and_lists_the_next_dates(coordinator_client, group):
    data = form_data(group, weekdays=["1", "3"], interval="2", skipped="2027-01-07")
    response = coordinator_client.post(reverse("groups:schedule-preview"), data)
    page = response.content.decode()
    assert (
        "Every other Tuesday and Thursday, 18:00–19:30, from 5 Jan 2027, except 7 Jan 2027" in page
    )
    assert "Tue 5 Jan 2027" in page and "Thu 7 Jan 2027" not in page
    bad = coordinator_client.post(reverse("groups:schedule-preview"), form_data(group, weekdays=[]))
    assert "Choose at least one day of the week." in bad.content.decode()


# --- Moving one session (H3) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("date", "start", "end", "message"),
    [
        ("2020-01-01", "10:00", "11:00", "can&#x27;t be moved into the past"),
        ("2027-01-04", "09:00", "10:00", "can&#x27;t be moved into the past"),  # earlier today
        ("2030-01-01", "10:00", "11:00", "at most two years ahead"),
        ("2027-01-20", "19:00", "18:00", "must end after it starts"),
        ("2027-01-20", "10:00", "10:05", "at least 15 minutes"),
    ],
)
def test_a_session_cannot_be_moved_into_the_past_or_to_an_impossible_time(
    coordinator_client, group, date, start, end, message
):
    session = group.sessions.first()
    before = (session.starts_at, session.ends_at)
    response = coordinator_client.post(
        reverse("groups:session-move", args=[session.pk]),
        {"date": date, "start": start, "end": end, "notice": ""},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == before


def test_the_service_refuses_a_move_into_the_past(group):
    from peerportal.groups.exceptions import GroupsError

    session = group.sessions.first()
    with pytest.raises(GroupsError, match="into the past"):
        services.session_move(
            actor=None,
            session=session,
            starts_at=dt.datetime(2020, 1, 1, 15, tzinfo=dt.UTC),
            ends_at=dt.datetime(2020, 1, 1, 16, tzinfo=dt.UTC),
        )


def test_the_moved_email_names_the_year(
    coordinator_client, group, mailoutbox, django_capture_on_commit_callbacks
):
    from peerportal.reminders.dispatch import dispatch_due

    session = group.sessions.first()
    member = UserFactory()
    services.booking_create(session=session, member=member)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("groups:session-move", args=[session.pk]),
            {"date": "2027-01-06", "start": "10:00", "end": "11:00", "notice": ""},
        )
    dispatch_due()
    subjects = [m.subject for m in mailoutbox if member.email in m.to]
    assert "New time for your session: Wed 6 Jan 2027, 10:00" in subjects


# --- Archive, delete pages ----------------------------------------------------------------
def test_archive_page_says_what_will_happen_then_archives(coordinator_client, group):
    services.booking_create(session=group.sessions.first(), member=UserFactory())
    url = reverse("groups:group-archive", args=[group.pk])
    page = coordinator_client.get(url).content.decode()
    assert "1 session with bookings is no longer on the schedule" in page
    assert "3 sessions without bookings are removed." in page
    assert SupportGroup.objects.get(pk=group.pk).archived_at is None, "GET changes nothing"
    assert coordinator_client.post(url).status_code == 302
    assert SupportGroup.objects.get(pk=group.pk).is_archived
    directory = coordinator_client.get(reverse("groups:group-list")).content.decode()
    assert group.name not in directory


def test_delete_page_refuses_a_group_with_bookings(coordinator_client, group):
    services.booking_create(session=group.sessions.first(), member=UserFactory())
    url = reverse("groups:group-delete", args=[group.pk])
    assert "can't be deleted" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url)
    assert response.status_code == 200
    assert SupportGroup.objects.filter(pk=group.pk).exists()


def test_delete_page_deletes_a_group_without_bookings(coordinator_client, group):
    url = reverse("groups:group-delete", args=[group.pk])
    assert "never had a booking" in coordinator_client.get(url).content.decode()
    assert coordinator_client.post(url).status_code == 302
    assert not SupportGroup.objects.filter(pk=group.pk).exists()


def test_the_cancel_button_asks_once(member_client, member, group):
    services.booking_create(session=group.sessions.first(), member=member)
    page = member_client.get(reverse("groups:group-detail", args=[group.pk])).content.decode()
    assert page.count("Cancel your booking for this session?") == 1
    assert "hx-confirm" not in page


def test_an_archived_groups_sessions_cannot_be_booked(member_client, group):
    session = group.sessions.first()
    SupportGroup.objects.filter(pk=group.pk).update(archived_at=NOW)  # the session row stays
    response = member_client.post(reverse("groups:booking-create", args=[session.pk]))
    assert response.status_code == 404
    assert not session.bookings.exists()
