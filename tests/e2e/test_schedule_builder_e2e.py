"""A coordinator builds a group's schedule in the form (weekly on Tuesday and Thursday), sees
the summary and next dates update, and saves; a member cancels with one confirmation."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.e2e.conftest import check_page, log_in
from tests.e2e.test_flows_e2e import SECRET, log_in_with_code
from tests.factories import TEST_PASSWORD, CoordinatorFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
NY = zoneinfo.ZoneInfo("America/New_York")
# Monday 4 January 2027, 10:00 in New York; the clock runs on from there (tick=True) so the
# live server and the browser's login agree, and the cookies stay valid.
START = dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def test_coordinator_builds_a_tuesday_and_thursday_schedule_and_saves(page, live_server):
    from allauth.mfa.totp.internal.auth import TOTP

    from peerportal.core.models import Organization
    from peerportal.groups.models import SupportGroup

    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    location = LocationFactory(name="E2E Peer Center")
    coordinator = CoordinatorFactory()
    TOTP.activate(coordinator, SECRET)
    log_in_with_code(page, coordinator)

    page.goto(reverse("groups:group-create"))
    page.get_by_label("Name").fill("Builder Circle (invented)")
    page.get_by_label("Description").fill("An invented group.")
    page.get_by_label("Location").select_option(str(location.pk))
    page.get_by_label("Published").check()
    page.get_by_label("Weekly, on chosen days").check()
    assert page.get_by_label("Which week of the month").is_hidden(), "monthly choices hidden"
    page.get_by_label("Tuesday", exact=True).check()
    page.get_by_label("Thursday", exact=True).check()
    page.get_by_label("Starts (local time)").fill("18:00")
    page.get_by_label("Ends (local time)").fill("19:30")
    page.get_by_label("First date").fill("2027-01-05")
    page.get_by_label("Skipped dates").fill("2027-01-07")
    page.get_by_label("Sessions planned ahead (weeks)").fill("2")
    page.get_by_label("Sessions planned ahead (weeks)").press("Tab")
    preview = page.locator("#schedule-preview")
    preview.get_by_text("Every Tuesday and Thursday, 18:00–19:30, from 5 Jan 2027").wait_for()
    assert "Tue 5 Jan 2027, 18:00–19:30" in preview.inner_text()
    assert "Thu 7 Jan 2027" not in preview.inner_text()
    check_page(page, "group-schedule-builder")

    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.get_by_text("Group saved.").wait_for()
    group = SupportGroup.objects.get(name="Builder Circle (invented)")
    assert group.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert group.skipped_dates == ["2027-01-07"]
    days = [s.starts_at.astimezone(NY) for s in group.sessions.all()]
    assert [(d.date(), d.time()) for d in days] == [
        (dt.date(2027, 1, 5), dt.time(18)),
        (dt.date(2027, 1, 12), dt.time(18)),
        (dt.date(2027, 1, 14), dt.time(18)),
    ]

    # Editing the days shows what will happen before anything changes.
    page.goto(reverse("groups:group-edit", args=[group.pk]))
    page.get_by_label("Thursday", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    # 7 January is a Thursday: no longer a date of the schedule, so it can't be skipped.
    page.get_by_text(
        "The group doesn't meet on 7 Jan 2027, so it can't be skipped."
    ).first.wait_for()
    page.get_by_label("Skipped dates").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.get_by_text("1 session without bookings is removed.").wait_for()
    check_page(page, "group-schedule-confirm")
    page.get_by_role("button", name="Save these changes").click()
    page.wait_for_load_state()
    page.get_by_text("Group saved.").wait_for()
    assert group.sessions.count() == 2


def test_cancelling_a_booking_on_the_group_page_asks_once(page, live_server):
    from peerportal.groups import services
    from tests.groups.factories import SupportGroupFactory

    group = SupportGroupFactory(
        name="Ask Once Circle", first_date=dt.date(2027, 1, 5), booking_opens_days=30
    )
    services.group_sessions_generate(group=group)
    session = group.sessions.first()
    member = UserFactory()
    services.booking_create(session=session, member=member)
    log_in(page, member.email, TEST_PASSWORD)
    page.goto(reverse("groups:group-detail", args=[group.pk]))
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    box = page.locator(f"#booking-box-{session.pk}")
    box.get_by_role("button", name="Cancel booking").click()
    box.get_by_text("Your booking was cancelled.").wait_for()
    assert dialogs == ["Cancel your booking for this session?"]
