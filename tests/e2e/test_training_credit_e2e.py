"""Training credit from attendance in a real browser: the facilitator marks who came and
closes the attendance after the confirmation; the staff member opens (and prints) their
certificate of attendance. Each page checked with axe and screenshotted.

The training is held yesterday (organization time), so closing is allowed whatever day
and hour the test runs; nothing here depends on the weekday or the month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.e2e.conftest import check_page, log_in, open_from_menu
from tests.factories import TEST_PASSWORD, CoordinatorFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_facilitator_closes_attendance_and_staff_open_their_certificate(page, browser, live_server):
    from peerportal.certification import selectors, services
    from peerportal.certification.demo import seed_credential_types
    from peerportal.certification.models import CETopic, TrainingRecord

    seed_credential_types()
    facilitator = StaffFactory(display_name="Rowan")
    ash = StaffFactory(display_name="Ash")
    StaffFactory(display_name="Birch")  # registered nowhere, offered in "add"
    event = services.training_event_save(
        actor=CoordinatorFactory(),
        title="Boundaries in peer work",
        description="",
        provider=services.approved_provider_names()[0],
        held_on=selectors.local_today() - dt.timedelta(days=1),
        facilitator=facilitator,
        topic_hours={
            CETopic.objects.get(code="ethics"): Decimal(3),
            CETopic.objects.get(code="peer-practice"): Decimal(2),
        },
    )
    services.training_attendee_register(person=ash, event=event)

    log_in(page, facilitator.email, TEST_PASSWORD)
    open_from_menu(page, "training", "Trainings")
    check_page(page, "training-list")
    page.get_by_role("link", name="Attendance").click()
    page.wait_for_load_state()
    check_page(page, "training-attendance")
    page.get_by_label("Ash").check()
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Close the attendance…").click()
    page.wait_for_load_state()
    check_page(page, "training-close")
    assert "1 staff member will get 5 hours" in page.locator("#close-summary").inner_text()
    page.get_by_role("button", name="Close and credit").click()
    page.wait_for_load_state()
    assert "1 staff member was credited" in page.locator(".messages").inner_text()
    check_page(page, "training-attendance-closed")
    assert TrainingRecord.objects.filter(person=ash, status="approved").count() == 2

    context = browser.new_context(base_url=live_server.url)
    staff_page = context.new_page()
    log_in(staff_page, ash.email, TEST_PASSWORD)
    staff_page.goto("/certification/")
    staff_page.get_by_role("link", name="Certificate").first.click()
    staff_page.wait_for_load_state()
    check_page(staff_page, "training-certificate")
    certificate = staff_page.locator(".certificate")
    assert (
        "Ash" in certificate.inner_text() and "Boundaries in peer work" in certificate.inner_text()
    )
    # Printing shows the certificate alone: no navigation, footer or print button.
    staff_page.emulate_media(media="print")
    assert not staff_page.locator("header").is_visible()
    assert not staff_page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert certificate.is_visible()
    staff_page.pdf(path="test-artifacts/screenshots/training-certificate.pdf")
    context.close()
