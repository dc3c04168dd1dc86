"""A coordinator imports people in a real browser: preview with reasons, then confirm."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from peerportal.accounts.models import User
from tests.e2e.conftest import check_page, log_in, open_from_menu
from tests.factories import TEST_PASSWORD, CoordinatorFactory
from tests.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HEADER = ["email", "display_name", "role", "language", "time_zone"]


def _log_in(page, user):
    TOTP.activate(user, SECRET)
    log_in(page, user.email, TEST_PASSWORD)
    for _attempt in range(2):  # a code typed at the edge of its 30 s window may be refused
        page.locator("#id_code").fill(format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        if "/2fa/" not in page.url:
            return
        time.sleep(1)


def _upload(page, data: bytes):
    page.goto("/imports/")
    page.get_by_label("What the file holds").select_option("people")
    page.set_input_files(
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()


def test_coordinator_previews_a_file_fixes_it_and_imports_it(page, live_server):
    coordinator = CoordinatorFactory()
    _log_in(page, coordinator)
    page.goto("/dashboard/")
    open_from_menu(page, "admin", "Import")
    assert page.url.endswith("/imports/")
    check_page(page, "import-start")

    bad = csv_bytes(
        HEADER,
        [
            ["river@example.test", "River", "member", "es", ""],
            ["sky@example.test", '=HYPERLINK("x")', "peer_specialist", "", ""],
            ["river@example.test", "River again", "member", "", ""],
        ],
    )
    _upload(page, bad)
    page.get_by_text("2 refused").wait_for()
    assert page.locator(".import-refused").count() == 2
    assert "is already in row 2" in page.content()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    check_page(page, "import-preview-refused")
    assert not User.objects.filter(email="river@example.test").exists()

    good = csv_bytes(
        HEADER,
        [
            ["river@example.test", "River", "member", "es", ""],
            ["sky@example.test", "Sky", "peer_specialist", "", "America/Chicago"],
        ],
    )
    _upload(page, good)
    page.get_by_text("2 to create").wait_for()
    assert "Nobody will be emailed." in page.content()
    check_page(page, "import-preview")
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_load_state()
    page.get_by_text("What was imported").wait_for()
    assert page.get_by_text("2 created").is_visible()
    check_page(page, "import-done")
    assert User.objects.filter(email__in=["river@example.test", "sky@example.test"]).count() == 2


def test_the_page_polls_while_the_worker_checks_then_shows_the_preview(
    page, live_server, monkeypatch
):
    from peerportal.imports import services
    from peerportal.imports.models import ImportJob

    # No worker picks the task up yet: the page must show progress and keep polling.
    monkeypatch.setattr(services, "_enqueue", lambda task, job_id: None)
    coordinator = CoordinatorFactory()
    _log_in(page, coordinator)
    _upload(page, csv_bytes(HEADER, [["river@example.test", "River", "member", "", ""]]))
    page.get_by_text("Checking the file").wait_for()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    check_page(page, "import-checking")
    services.import_job_check(job=ImportJob.objects.get())  # the worker's turn
    page.get_by_role("button", name="Confirm the import").wait_for()  # HTMX reloaded the page
    assert "1 to create" in page.content()
