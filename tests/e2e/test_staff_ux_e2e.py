"""Field report §3/§4 in a real browser: withdrawing a pending record, the reason beside a
disabled sign-up button, and evidence previewed on the review page under the strict CSP."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.e2e.conftest import check_page, log_in
from tests.factories import TEST_PASSWORD, StaffFactory, SupervisorFactory, org_localdate

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(buffer, format="PDF")
    return buffer.getvalue()


def test_staff_withdraws_a_pending_record_after_confirming(page, live_server):
    from peerportal.certification import services
    from peerportal.certification.models import RecordStatus

    staff = StaffFactory(display_name="Ash")
    record = services.training_record_submit(
        person=staff,
        course="Boundaries and ethics",
        provider="Invented Institute",
        completed_on=org_localdate() - dt.timedelta(days=3),
        hours=Decimal(3),
    )
    log_in(page, staff.email, TEST_PASSWORD)
    page.goto("/certification/")
    page.get_by_role("link", name="Boundaries and ethics").click()
    page.wait_for_load_state()
    check_page(page, "training-record-detail")
    page.get_by_role("link", name="Withdraw").click()
    page.wait_for_load_state()
    check_page(page, "training-record-withdraw")
    page.get_by_role("button", name="Withdraw the record").click()
    page.wait_for_load_state()
    assert page.get_by_text("Record withdrawn").is_visible()
    record.refresh_from_db()
    assert record.status == RecordStatus.WITHDRAWN


def test_board_shows_why_a_shift_cannot_be_taken(page, live_server):
    from peerportal.warmline.models import Shift, ShiftAssignment, WarmLine

    staff = StaffFactory(display_name="Rowan")
    line = WarmLine.objects.create(name="Evening Warm Line", max_hours_per_week=4)
    line.members.add(staff)
    # Next Tuesday (never today), 10:00 local: both shifts fall in the same week whatever
    # day the test runs.
    from peerportal.core.models import Organization

    tz = Organization.get().tzinfo
    today = timezone.localdate(timezone.now(), tz)
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    start = dt.datetime.combine(tuesday, dt.time(10), tzinfo=tz)
    taken = Shift.objects.create(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    ShiftAssignment.objects.create(shift=taken, person=staff, slot=1)
    later = start + dt.timedelta(hours=5)
    blocked = Shift.objects.create(
        line=line, starts_at=later, ends_at=later + dt.timedelta(hours=2)
    )
    log_in(page, staff.email, TEST_PASSWORD)
    page.goto(f"/warm-line/?week={timezone.localdate(start).isoformat()}")
    row = page.locator(f"#shift-{blocked.pk}")
    assert row.get_by_role("button", name="Sign up").is_disabled()
    assert row.get_by_text("maximum of 4 h a week; you have 3 h that week").is_visible()
    check_page(page, "shift-board-eligibility")


def test_supervisor_previews_evidence_on_the_review_page(page, live_server):
    from peerportal.certification import services
    from peerportal.certification.models import TrainingRecord

    supervisor = SupervisorFactory(display_name="Sage")
    TOTP.activate(supervisor, SECRET)
    staff = StaffFactory(display_name="Ash", supervisor=supervisor)
    image = services.training_record_submit(
        person=staff,
        course="Peer support practice",
        provider="Invented Institute",
        completed_on=org_localdate() - dt.timedelta(days=40),
        hours=Decimal(3),
        evidence=SimpleUploadedFile("certificate.png", _png(), content_type="image/png"),
    )
    # Forms refuse a future date now; an older record that has one must still be flagged.
    TrainingRecord.objects.filter(pk=image.pk).update(
        completed_on=org_localdate() + dt.timedelta(days=40)
    )
    pdf = services.training_record_submit(
        person=staff,
        course="Ethics",
        provider="Invented Institute",
        completed_on=org_localdate(),
        hours=Decimal(3),
        evidence=SimpleUploadedFile("c.pdf", _pdf(), content_type="application/pdf"),
    )
    log_in(page, supervisor.email, TEST_PASSWORD)
    assert page.locator("#id_code").get_attribute("inputmode") == "numeric"
    for _attempt in range(2):  # a code computed just before a 30 s boundary may expire
        page.locator("#id_code").fill(format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        if page.locator("#id_code").count() == 0:
            break
    page.goto("/certification/reviews/")
    assert page.get_by_text("Completion date is in the future.").is_visible()
    check_page(page, "review-queue-flags")
    page.goto(f"/certification/reviews/{image.pk}/")
    preview = page.get_by_role("img", name="Evidence: certificate.png")
    preview.wait_for()
    # The image loaded under the page's strict CSP (served by the permission-checked view).
    assert page.evaluate("(img) => img.naturalWidth", preview.element_handle()) == 120
    check_page(page, "record-review-preview")
    page.goto(f"/certification/reviews/{pdf.pk}/")
    link = page.get_by_role("link", name="Open the PDF in a new tab")
    assert link.get_attribute("target") == "_blank"
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    # Clicking opens the PDF in the browser's viewer in a new tab, not a download.
    with page.context.expect_page() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert viewer.url.endswith("?view=1")
    viewer.wait_for_timeout(2000)  # the viewer draws after load; for the screenshot only
    viewer.screenshot(path="test-artifacts/screenshots/evidence-pdf-inline.png")
