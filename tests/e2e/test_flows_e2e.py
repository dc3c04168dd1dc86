"""The main journeys in a real browser, each page checked with axe and screenshotted."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import check_page, log_in
from tests.factories import (
    TEST_PASSWORD,
    CoordinatorFactory,
    StaffFactory,
    SupervisorFactory,
    UserFactory,
    org_localdate,
)

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def log_in_with_code(page, user):
    log_in(page, user.email, TEST_PASSWORD)
    page.locator("#id_code").fill(format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_member_books_is_waitlisted_and_promoted_when_a_seat_frees(page, browser, live_server):
    from peerportal.groups import services
    from tests.groups.factories import GroupSessionFactory, SupportGroupFactory

    group = SupportGroupFactory(name="Evening Peer Circle", capacity=1)
    open_session = GroupSessionFactory(group=group, starts_at=timezone.now() + dt.timedelta(days=2))
    full_session = GroupSessionFactory(group=group, starts_at=timezone.now() + dt.timedelta(days=9))
    holder = UserFactory(display_name="Holder")
    holding = services.booking_create(session=full_session, member=holder)
    member = UserFactory(display_name="Wren")

    page.goto("/groups/")
    check_page(page, "groups-directory")
    page.get_by_role("link", name="Evening Peer Circle").click()
    check_page(page, "group-page-anonymous")
    log_in(page, member.email, TEST_PASSWORD)
    page.goto(f"/groups/{group.pk}/")
    page.locator(f"#booking-box-{open_session.pk}").get_by_role(
        "button", name="Book a place"
    ).click()
    page.locator(f"#booking-box-{open_session.pk}").get_by_text("You're booked").first.wait_for()
    page.locator(f"#booking-box-{full_session.pk}").get_by_role(
        "button", name="Join the waitlist"
    ).click()
    page.locator(f"#booking-box-{full_session.pk}").get_by_text(
        "You're number 1 in line"
    ).wait_for()
    check_page(page, "group-page-member")
    assert "Holder" not in page.content()

    services.booking_cancel(booking=holding, actor=holder)  # a seat frees up
    page.goto("/groups/bookings/")
    assert page.get_by_role("cell", name="Booked").count() == 2
    check_page(page, "my-bookings")


def test_keyboard_only_booking(page, live_server):
    from tests.groups.factories import GroupSessionFactory

    session = GroupSessionFactory(group__name="Keyboard Circle")
    member = UserFactory()
    log_in(page, member.email, TEST_PASSWORD)
    page.goto(f"/groups/{session.group_id}/")
    button = page.locator(f"#booking-box-{session.pk}").get_by_role("button", name="Book a place")
    for _ in range(60):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the booking button is not reachable with Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.locator(f"#booking-box-{session.pk}").get_by_text("You're booked").first.wait_for()


def test_peer_specialist_signs_up_for_a_shift_and_logs_a_call(page, live_server):
    from peerportal.warmline.models import CallRecord, Shift, WarmLine

    staff = StaffFactory(display_name="Rowan")
    line = WarmLine.objects.create(name="Evening Warm Line")
    line.members.add(staff)
    start = timezone.now() + dt.timedelta(days=1)
    Shift.objects.create(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    log_in(page, staff.email, TEST_PASSWORD)
    page.goto(f"/warm-line/?week={org_localdate(start).isoformat()}")
    assert page.get_by_text("Not a crisis service.").is_visible()
    check_page(page, "shift-board")
    page.get_by_role("button", name="Sign up").first.click()
    page.wait_for_load_state()
    from peerportal.warmline.models import ShiftAssignment

    for _ in range(50):
        if ShiftAssignment.objects.filter(person=staff, is_active=True).exists():
            break
        page.wait_for_timeout(100)
    assert ShiftAssignment.objects.filter(person=staff, is_active=True).exists()
    page.goto("/warm-line/calls/new/")
    check_page(page, "call-form")
    page.get_by_label("Contact type").select_option("text")
    page.get_by_label("Duration (minutes)").fill("12")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert CallRecord.objects.filter(author=staff, duration_minutes=12).exists()
    check_page(page, "call-log")


def test_training_record_submitted_and_approved_by_the_supervisor(page, browser, live_server):
    from peerportal.certification.models import TrainingRecord

    supervisor = SupervisorFactory(display_name="Sage")
    TOTP.activate(supervisor, SECRET)
    staff = StaffFactory(display_name="Ash", supervisor=supervisor)
    log_in(page, staff.email, TEST_PASSWORD)
    page.goto("/certification/records/new/")
    check_page(page, "training-record-form")
    page.get_by_label("Course").fill("Boundaries and ethics")
    page.get_by_label("Provider").fill("Invented Institute")
    page.get_by_label("Completed on").fill("2026-11-01")
    page.get_by_label("Hours").fill("3")
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_load_state()
    check_page(page, "my-training")

    context = browser.new_context(base_url=live_server.url)
    sup = context.new_page()
    log_in_with_code(sup, supervisor)
    sup.goto("/certification/reviews/")
    check_page(sup, "review-queue")
    sup.get_by_role("link", name="Ash — Boundaries and ethics").click()
    check_page(sup, "record-review")
    sup.get_by_label("Approve").check()
    sup.get_by_role("button", name="Save decision").click()
    sup.wait_for_load_state()
    context.close()
    assert TrainingRecord.objects.get(person=staff).status == "approved"


def test_coordinator_views_reports(page, live_server):
    coordinator = CoordinatorFactory()
    TOTP.activate(coordinator, SECRET)
    log_in_with_code(page, coordinator)
    for path, name in (
        ("/reports/groups/", "report-groups"),
        ("/reports/warm-line/", "report-warmline"),
        ("/reports/drop-in/", "report-dropin"),
        ("/audit/", "audit-log"),
    ):
        page.goto(path)
        assert page.locator("h1").first.is_visible()
        check_page(page, name)


def test_coordinator_ends_a_drop_in_series_after_confirming(page, live_server):
    from peerportal.dropin import services
    from peerportal.dropin.models import Event
    from tests.factories import LocationFactory

    coordinator = CoordinatorFactory()
    TOTP.activate(coordinator, SECRET)
    series = services.series_create(
        actor=coordinator,
        location=LocationFactory(name="E2E Test Center"),
        title="Evening games (invented)",
        rrule="FREQ=WEEKLY",
        first_date=org_localdate() + dt.timedelta(days=1),
        start_time=dt.time(18),
        end_time=dt.time(19),
    )
    first = series.events.order_by("starts_at").first()
    log_in_with_code(page, coordinator)
    page.goto(reverse("dropin:event-detail", args=[first.pk]))
    page.get_by_role("link", name="End the whole series").click()
    page.wait_for_load_state()
    check_page(page, "series-end")
    page.get_by_label("Cancellation notice").fill("The games move to another evening.")
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation before ending
    page.get_by_role("button", name="End the series").click()
    page.wait_for_load_state()
    assert page.get_by_text("The series has ended").is_visible()
    assert not Event.objects.filter(series=series, is_cancelled=False).exists()
