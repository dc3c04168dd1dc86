"""Guard rails as a person meets them: email preferences refuse a reminder with no time
and quiet hours of 07:00–07:00, with the message beside the field."""

from __future__ import annotations

import pytest

from peerportal.reminders.models import NotificationPreference
from tests.e2e.conftest import check_page, log_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_preferences_refuse_nonsense_and_show_only_member_kinds(page):
    member = UserFactory(display_name="Pebble")
    log_in(page, member.email, TEST_PASSWORD)
    page.goto("/reminders/preferences/")
    assert page.get_by_role("group", name="Support groups").is_visible()
    assert page.get_by_text("Before a warm-line shift").count() == 0
    for box in page.locator("input[name='offsets__session_upcoming']").all():
        box.uncheck()
    page.get_by_label("Quiet hours start").fill("07:00")
    page.get_by_label("Quiet hours end").fill("07:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tick at least one time, or switch this reminder off.").is_visible()
    assert page.get_by_text("Quiet hours must start and end at different times").is_visible()
    check_page(page, "preferences-refused-member")
    assert not NotificationPreference.objects.filter(user=member, quiet_hours_start__isnull=False)
