"""Real-browser tests: Playwright (Python) driving Debian's Chromium against a live server.

`make test` installs Chromium (`apt-get install chromium`) when it is missing. Pages are
checked with the vendored axe-core (zero serious or critical violations) and screenshots
are saved under ``test-artifacts/screenshots`` at desktop and 360 px phone width.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One Chromium per test module.

    The test database is created before Playwright starts its event loop. While the loop
    runs, the tests' own ORM calls (fixtures, assertions) are synchronous and safe, so
    Django's async guard is relaxed for the browser modules only — deployment checks
    refuse this variable, so it must not leak into the rest of the run.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    # Teardown of the last test's data happened already (function scope); drop the relaxation.
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check_page(page, name: str) -> list[dict]:
    """Screenshots at desktop and phone width, then axe; fails on serious/critical issues."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{_slug(name)}.png"), full_page=True)
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{_slug(name)}-360.png"), full_page=True)
    # Nothing may scroll sideways on a phone.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(el => !el.closest('.collapse:not(.show), .table-responsive'))
            .slice(0, 5).map(el => el.tagName + '.' + el.className)"""
    )
    page.set_viewport_size(desktop)
    assert overflow <= 1, f"{name}: page is {overflow}px wider than a 360px screen: {culprits}"
    # The axe script is served same-origin, so the strict CSP allows it.
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "; ".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in bad
    )
    assert not bad, f"{name}: axe found serious/critical violations: {details}"
    return result["violations"]


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def open_from_menu(page, menu: str, link: str) -> None:
    """Open a page through the top bar: the ``menu`` dropdown (``#menu-<key>``), then ``link``."""
    page.locator(f"#menu-{menu}").click()
    page.locator(f"#menu-{menu} + .dropdown-menu").get_by_role("link", name=link).click()
    page.wait_for_load_state()
