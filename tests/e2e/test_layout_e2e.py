"""No page is wider than the window, for any persona, from a 360 px phone to a 1920 px screen.

Each persona (member, peer specialist, supervisor, coordinator) signs in once on the demo
data; then every page in their navigation, plus the dashboard and their profile, is opened
once and measured at 360, 768, 1280 and 1920 px by resizing the same page. The top bar's
menus are opened and measured too, and each persona's dashboard is saved as a screenshot at
360 and 1280 px under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 768, 1280, 1920)
PERSONAS = ("member", "staff", "supervisor", "coordinator")

OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => !el.closest('.table-responsive, .dropdown-menu:not(.show)'))
    .slice(0, 4).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
  return {scroll: doc.scrollWidth, inner: window.innerWidth, wide};
}"""


@pytest.fixture
def demo(db):
    from peerportal.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_email, seed_all

    seed_all(scale="small")
    return {"password": DEMO_PASSWORD, "secret": DEMO_TOTP_SECRET, "email": demo_email}


def _sign_in(page, demo, persona: str) -> None:
    log_in(page, demo["email"](persona), demo["password"])
    if page.locator("#id_code").count():
        code = format_hotp_value(hotp_value(demo["secret"], int(time.time()) // 30))
        page.locator("#id_code").fill(code)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
    assert page.url.endswith(reverse("core:dashboard")), f"{persona} did not reach the dashboard"


def _pages_for(user) -> list[str]:
    from peerportal.core.navigation import nav_for

    urls = [reverse("core:dashboard"), reverse("accounts:profile")]
    urls += [item.url for item in nav_for(user) if item.url not in urls]
    return urls


def _measure(page, where: str) -> None:
    result = page.evaluate(OVERFLOW)
    assert result["scroll"] <= result["inner"], (
        f"{where}: the page is {result['scroll']}px wide in a {result['inner']}px window; "
        f"too wide: {result['wide']}"
    )


@pytest.mark.parametrize(
    ("persona", "language"), [(p, "en") for p in PERSONAS] + [("coordinator", "es")]
)
def test_no_page_is_wider_than_the_window_for_any_persona(
    browser, live_server, demo, persona, language
):
    """Spanish labels are longer, so the coordinator's (longest) bar is measured in both."""
    from peerportal.accounts.models import User

    user = User.objects.get(email=demo["email"](persona))
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, demo, persona)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        for url in _pages_for(user):
            response = page.goto(url)
            assert response.status == 200, f"{persona}: {url} answered {response.status}"
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                _measure(page, f"{persona} {url} at {width}px")
            if url == reverse("core:dashboard"):
                for width in (360, 1280):
                    page.set_viewport_size({"width": width, "height": 800})
                    page.screenshot(
                        path=str(ARTIFACTS / f"dashboard-{persona}-{language}-{width}.png"),
                        full_page=True,
                    )
                _check_menus(page, persona)
    finally:
        context.close()


def _check_menus(page, persona: str) -> None:
    """Every dropdown of the top bar opens inside the window, on a phone and on a desktop."""
    page.set_viewport_size({"width": 360, "height": 800})
    toggler = page.locator(".navbar-toggler")
    toggler.click()
    page.locator("#main-nav.show").wait_for()
    _measure(page, f"{persona}: the opened phone menu")
    for button in page.locator("#main-nav [data-bs-toggle=dropdown]").all():
        button.click()
        _measure(page, f"{persona}: phone menu {button.inner_text()!r} opened")
        button.click()
    page.screenshot(
        path=str(
            ARTIFACTS / f"menu-{persona}-{page.evaluate('document.documentElement.lang')}-360.png"
        ),
        full_page=True,
    )
    toggler.click()
    page.locator("#main-nav.collapsing").wait_for(state="detached")
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        if toggler.is_visible():  # a long (translated) bar stays behind "Menu" up to 1400 px
            continue
        for button in page.locator("#main-nav [data-bs-toggle=dropdown]").all():
            button.click()
            menu = page.locator(".dropdown-menu.show")
            box = menu.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
                f"{persona}: menu {button.inner_text()!r} leaves a {width}px window"
            )
            _measure(page, f"{persona}: menu {button.inner_text()!r} open at {width}px")
            page.keyboard.press("Escape")


def test_top_bar_menus_work_with_the_keyboard(browser, live_server, demo):
    """Tab reaches a menu, Enter opens it, arrows move through it, Escape closes it."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, demo, "coordinator")
        toggle = page.locator("#menu-admin")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "People"
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.evaluate("el => el === document.activeElement")
        # The account menu: profile, data and sign out, all reachable by keyboard.
        account = page.locator("#menu-account")
        account.focus()
        page.keyboard.press("Enter")
        names = page.locator("#menu-account + .dropdown-menu").inner_text()
        for expected in ("Your profile", "Download your data", "Sign out"):
            assert expected in names
        page.keyboard.press("Escape")
        # The current page is marked for screen readers.
        page.goto(reverse("accounts:people-list"))
        current = page.locator("#main-nav [aria-current=page]")
        assert current.inner_text().strip() == "People"
        assert "active" in page.locator("#menu-admin").get_attribute("class")
    finally:
        context.close()


def test_drop_in_month_fits_a_phone_with_every_weekday(page, db):
    """At 360 px the month is a list of the days with events; Friday to Sunday are on screen."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from tests.dropin.factories import EventFactory
    from tests.factories import LocationFactory

    new_york = ZoneInfo("America/New_York")
    location = LocationFactory(name="Layout Test Center")
    titles = {
        dt.date(2027, 3, 12): "Friday art club",
        dt.date(2027, 3, 13): "Saturday brunch",
        dt.date(2027, 3, 14): "Sunday walk",
    }
    for day, title in titles.items():
        EventFactory(
            location=location,
            title=title,
            starts_at=dt.datetime.combine(day, dt.time(11), tzinfo=new_york),
        )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("dropin:calendar-month") + "?year=2027&month=3")
    _measure(page, "drop-in month at 360px")
    for title in titles.values():
        link = page.get_by_role("link", name=title)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{title} is off screen"
    assert page.get_by_text("Sunday 14").is_visible()
    assert page.get_by_text("Monday 1", exact=True).is_hidden()  # a day without events
    page.screenshot(path=str(ARTIFACTS / "dropin-month-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    _measure(page, "drop-in month at 1280px")
    assert page.locator(".dropin-month .day-name").first.is_hidden()  # the grid: numbers only
    assert page.get_by_role("link", name="Sunday walk").is_visible()
    assert page.locator(".dropin-month th", has_text="Sun").is_visible()
