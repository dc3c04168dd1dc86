"""A visitor signs up, verifies their email and reaches the dashboard; base pages are accessible."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import check_page, log_in
from tests.factories import TEST_PASSWORD, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_signs_up_verifies_email_and_sees_dashboard(page, mailoutbox):
    page.goto("/")
    check_page(page, "home")
    assert page.get_by_text("988").first.is_visible()
    page.get_by_role("link", name="Create an account").click()
    check_page(page, "signup")
    page.get_by_label("Email").fill("new.visitor@example.test")
    page.get_by_label("Display name").fill("Pebble")
    page.locator("#id_password1").fill("a-long-enough-passphrase")
    page.locator("#id_password2").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto("/accounts/" + link.split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Hello, Pebble").is_visible()
    check_page(page, "dashboard-member")


def test_keyboard_users_can_skip_to_content(page, db):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_text("Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_locations_and_login_pages_are_accessible(page, db):
    LocationFactory(name="Quiet Harbor Center")
    page.goto("/locations/")
    check_page(page, "locations")
    page.get_by_role("link", name="Quiet Harbor Center").click()
    check_page(page, "location-detail")
    page.goto("/accounts/login/")
    check_page(page, "login")


def test_a_member_logs_in_with_email_and_password(page, db):
    user = UserFactory(display_name="Juniper")
    log_in(page, user.email, TEST_PASSWORD)
    assert page.get_by_role("heading", name="Hello, Juniper").is_visible()
    page.goto("/me/")
    check_page(page, "profile")
