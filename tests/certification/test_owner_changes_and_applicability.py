"""Field report §3/§4: pending records can be edited and withdrawn; each record says per
credential whether it counts and why; progress shows pending vs approved hours; the review
queue flags impossible dates; the history names the reviewer in the past tense; evidence
previews inline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from peerportal.certification import rules, services
from peerportal.certification.exceptions import NotYourRecord, RecordClosed
from peerportal.certification.models import (
    ApprovedProvider,
    Certification,
    TopicRequirement,
    TrainingRecord,
)
from peerportal.core.models import AuditEvent
from tests.certification.factories import CETopicFactory, CredentialTypeFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)  # a Tuesday
TODAY = dt.date(2026, 3, 10)
PDF = b"%PDF-1.4\n%invented\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


@pytest.fixture(autouse=True)
def pinned_clock():
    # English: service messages are compared with the English pages.
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def submit(person, **extra):
    fields = {
        "course": "Boundaries",
        "provider": "Invented Institute",
        "completed_on": TODAY - dt.timedelta(days=5),
        "hours": Decimal(3),
    }
    fields.update(extra)
    return services.training_record_submit(person=person, **fields)


def form_data(**extra):
    data = {
        "course": "Boundaries and ethics",
        "provider": "Invented Institute",
        "completed_on": (TODAY - dt.timedelta(days=4)).isoformat(),
        "hours": "4",
    }
    data.update(extra)
    return data


@pytest.fixture
def ethics():
    return CETopicFactory(code="ethics", name="Ethics")


@pytest.fixture
def two_credentials(staff, ethics):
    """A state credential that counts any provider, a national one with an approved list."""
    state = CredentialTypeFactory(code="state-cps", name="State CPS", ce_hours_per_cycle=20)
    TopicRequirement.objects.create(credential_type=state, topic=ethics, min_hours=3)
    national = CredentialTypeFactory(
        code="national",
        name="National Peer",
        ce_hours_per_cycle=20,
        requires_approved_provider=True,
    )
    ApprovedProvider.objects.create(credential_type=national, name="National Academy")
    issued = TODAY - dt.timedelta(days=200)
    for ctype in (state, national):
        Certification.objects.create(holder=staff, credential_type=ctype, issued_on=issued)
    return state, national


# ---- editing and withdrawing a record waiting for review -------------------------------


def test_owner_edits_a_pending_record_and_it_stays_in_the_queue(staff, staff_client, supervisor):
    record = submit(staff)
    response = staff_client.post(
        reverse("certification:record-edit", args=[record.pk]), form_data()
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.course, record.hours, record.status) == (
        "Boundaries and ethics",
        Decimal(4),
        "submitted",
    )
    assert AuditEvent.objects.filter(
        action="training_record.edit", object_id=str(record.pk), actor_id=staff.pk
    ).exists()
    from peerportal.certification.selectors import review_queue_for

    assert list(review_queue_for(supervisor)) == [record]


def test_edit_after_changes_requested_sends_it_back_and_shows_the_comment(
    staff, staff_client, supervisor
):
    record = submit(staff)
    services.training_record_review(
        reviewer=supervisor,
        record=record,
        decision="changes_requested",
        comment="Please attach the certificate",
    )
    page = staff_client.get(reverse("certification:record-edit", args=[record.pk]))
    html = page.content.decode()
    assert "Please attach the certificate" in html
    assert "Changes requested" in html and "Supervisor Cedar" in html
    staff_client.post(reverse("certification:record-edit", args=[record.pk]), form_data())
    record.refresh_from_db()
    assert record.status == "submitted"
    assert AuditEvent.objects.filter(action="training_record.resubmit").exists()


def test_decided_records_cannot_be_edited_or_withdrawn(staff, staff_client, supervisor):
    record = submit(staff)
    services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    response = staff_client.post(
        reverse("certification:record-edit", args=[record.pk]), form_data(course="Changed")
    )
    assert response.status_code == 302
    staff_client.post(reverse("certification:record-withdraw", args=[record.pk]))
    record.refresh_from_db()
    assert (record.course, record.status) == ("Boundaries", "approved")
    with pytest.raises(RecordClosed):
        services.training_record_withdraw(person=staff, record=record)


def test_withdraw_asks_first_then_drops_the_record_from_the_queue(
    staff, staff_client, supervisor, supervisor_client
):
    record = submit(staff)
    url = reverse("certification:record-withdraw", args=[record.pk])
    confirm = staff_client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw the record" in confirm.content.decode()
    record.refresh_from_db()
    assert record.status == "submitted"  # a GET changes nothing

    assert staff_client.post(url).status_code == 302
    record.refresh_from_db()
    assert record.status == "withdrawn"
    assert AuditEvent.objects.filter(
        action="training_record.withdraw", object_id=str(record.pk)
    ).exists()
    queue = supervisor_client.get(reverse("certification:review-queue")).content.decode()
    assert "Boundaries" not in queue
    # A reviewer can no longer decide it.
    supervisor_client.post(
        reverse("certification:record-review", args=[record.pk]), {"decision": "approved"}
    )
    record.refresh_from_db()
    assert record.status == "withdrawn"


def test_only_the_owner_changes_or_withdraws(staff, other_staff, other_staff_client, supervisor):
    record = submit(staff)
    for name in ("certification:record-withdraw", "certification:record-edit"):
        url = reverse(name, args=[record.pk])
        assert other_staff_client.get(url).status_code == 404
        assert other_staff_client.post(url, form_data(course="Hijack")).status_code == 404
    with pytest.raises(NotYourRecord):
        services.training_record_withdraw(person=other_staff, record=record)
    with pytest.raises(NotYourRecord):
        services.training_record_resubmit(person=supervisor, record=record, course="X")
    record.refresh_from_db()
    assert (record.course, record.status) == ("Boundaries", "submitted")


def test_record_page_is_the_owners_only(staff, staff_client, other_staff_client, supervisor_client):
    record = submit(staff)
    url = reverse("certification:record-detail", args=[record.pk])
    assert staff_client.get(url).status_code == 200
    assert other_staff_client.get(url).status_code == 404
    assert supervisor_client.get(url).status_code == 404  # supervisors use the review page


# ---- review history and queue -------------------------------------------------------------


def test_history_names_the_reviewer_in_the_past_tense(staff, supervisor, supervisor_client):
    record = submit(staff)
    services.training_record_review(
        reviewer=supervisor, record=record, decision="changes_requested", comment="Which date?"
    )
    services.training_record_resubmit(person=staff, record=record)
    services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    html = supervisor_client.get(
        reverse("certification:record-review", args=[record.pk])
    ).content.decode()
    assert "Changes requested</strong> by Supervisor Cedar" in html
    assert "Approved</strong> by Supervisor Cedar" in html
    assert "Approve</strong>" not in html


def test_queue_flags_future_far_past_and_before_the_cycle_dates(
    staff, supervisor_client, two_credentials
):
    # The forms refuse such dates now; records from before that rule, or typed in elsewhere,
    # still reach the queue, and the reviewer must see them flagged.
    future = submit(staff, course="Future course")
    ancient = submit(staff, course="Ancient course")
    TrainingRecord.objects.filter(pk=future.pk).update(completed_on=TODAY + dt.timedelta(days=30))
    TrainingRecord.objects.filter(pk=ancient.pk).update(completed_on=dt.date(1990, 1, 1))
    early = submit(staff, course="Early course", completed_on=TODAY - dt.timedelta(days=300))
    fine = submit(staff, course="Fine course")
    response = supervisor_client.get(reverse("certification:review-queue"))
    rows = {row["record"].pk: row["flags"] for row in response.context["rows"]}
    assert "future" in " ".join(rows[future.pk])
    assert any("more than 10 years" in f for f in rows[ancient.pk])
    assert any("Before the current cycle of State CPS" in f for f in rows[early.pk])
    assert rows[fine.pk] == []
    assert "Check the date" in response.content.decode()


# ---- applicability --------------------------------------------------------------------


def test_ethics_course_counts_for_one_credential_and_says_why_not_the_other(
    staff, staff_client, supervisor, two_credentials, ethics
):
    record = submit(staff, course="Ethics in peer work", topic=ethics)
    services.training_record_review(reviewer=supervisor, record=record, decision="approved")
    html = staff_client.get(
        reverse("certification:record-detail", args=[record.pk])
    ).content.decode()
    assert "State CPS" in html and "Counts toward the topic minimum" in html
    assert "National Peer" in html
    assert "is not on this credential&#x27;s approved provider list" in html
    progress = staff_client.get(reverse("certification:progress")).content.decode()
    assert "approved provider list" in progress


def test_pending_record_says_whether_it_will_count(staff, staff_client, two_credentials, ethics):
    record = submit(staff, provider="National Academy", topic=ethics)
    html = staff_client.get(
        reverse("certification:record-detail", args=[record.pk])
    ).content.decode()
    assert html.count("will count once approved") == 2


def test_progress_shows_pending_hours_apart_from_approved(
    staff, staff_client, supervisor, two_credentials
):
    approved = submit(staff, course="Approved one", provider="National Academy")
    services.training_record_review(reviewer=supervisor, record=approved, decision="approved")
    submit(staff, course="Pending one", hours=Decimal("2.5"), provider="Somewhere else")
    response = staff_client.get(reverse("certification:progress"))
    rows = {r["certification"].credential_type.code: r for r in response.context["standings"]}
    assert rows["state-cps"]["pending_hours"] == Decimal("2.5")
    assert rows["national"]["pending_hours"] == 0  # not an approved provider: would not count
    total = rows["state-cps"]["standing"].progress.requirements[0]
    assert total.done == Decimal(3)
    assert "Waiting for review: 2.50 h more" in response.content.decode()


def test_applicability_rules_one_by_one(ethics):
    ctype = CredentialTypeFactory(code="strict", ce_hours_per_cycle=10, elective_hours_count=False)
    TopicRequirement.objects.create(credential_type=ctype, topic=ethics, min_hours=3)
    reqs = list(ctype.topic_requirements.all())
    issued = dt.date(2025, 1, 1)

    def record(pk, **kw):
        fields = {
            "pk": pk,
            "course": "Ethics",
            "provider": "P",
            "completed_on": dt.date(2025, 6, 1),
            "hours": Decimal(3),
            "topic": ethics,
            "status": "approved",
        }
        fields.update(kw)
        return TrainingRecord(**fields)

    first, repeat = record(1), record(2, completed_on=dt.date(2025, 7, 1))
    assert rules.applicability(first, ctype, reqs, [first, repeat], issued).counts
    result = rules.applicability(repeat, ctype, reqs, [first, repeat], issued)
    assert not result.counts and "once per cycle" in result.reason
    # The next cycle (24 months) counts the course again.
    later = record(3, completed_on=dt.date(2027, 2, 1))
    assert rules.applicability(later, ctype, reqs, [first, later], issued).counts
    before = record(4, completed_on=dt.date(2024, 12, 31))
    assert (
        "before the credential was issued"
        in rules.applicability(before, ctype, reqs, [], issued).reason
    )
    elective = record(5, topic=None)
    assert "listed topics" in rules.applicability(elective, ctype, reqs, [], issued).reason
    assert not rules.applicability(record(6, status="rejected"), ctype, reqs, [], issued).counts
    assert "in training" not in rules.applicability(record(7), ctype, reqs, [], None).reason
    assert not rules.applicability(record(7), ctype, reqs, [], None).counts


# ---- evidence preview -------------------------------------------------------------------


def test_supervisor_previews_image_evidence_inline_with_a_safe_type(staff, supervisor_client):
    record = submit(staff, evidence=SimpleUploadedFile("cert.png", PNG, content_type="image/png"))
    page = supervisor_client.get(reverse("certification:record-review", args=[record.pk]))
    assert f"/records/{record.pk}/evidence/?view=1" in page.content.decode()
    response = supervisor_client.get(
        reverse("certification:evidence-download", args=[record.pk]) + "?view=1"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="evidence.view", object_id=str(record.pk)).exists()


def test_pdf_opens_inline_in_a_new_tab_and_downloads_stay_attachments(staff, supervisor_client):
    record = submit(
        staff, evidence=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    )
    page = supervisor_client.get(
        reverse("certification:record-review", args=[record.pk])
    ).content.decode()
    assert 'target="_blank"' in page
    url = reverse("certification:evidence-download", args=[record.pk])
    inline = supervisor_client.get(url + "?view=1")
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert "default-src 'none'" in inline["Content-Security-Policy"]
    download = supervisor_client.get(url)
    assert download["Content-Disposition"].startswith("attachment")


def test_inline_preview_keeps_the_permission_check(staff, other_staff_client):
    record = submit(staff, evidence=SimpleUploadedFile("cert.png", PNG, content_type="image/png"))
    url = reverse("certification:evidence-download", args=[record.pk]) + "?view=1"
    assert other_staff_client.get(url).status_code == 404


def test_reviewer_sees_per_credential_whether_the_record_would_count(
    staff, supervisor_client, two_credentials, ethics
):
    record = submit(staff, course="Ethics in peer work", topic=ethics, credit_requested=False)
    html = supervisor_client.get(
        reverse("certification:record-review", args=[record.pk])
    ).content.decode()
    assert "Does it count?" in html
    assert "will count once approved" in html  # State CPS
    assert "won&#x27;t count, even if approved" in html or "won't count, even if approved" in html
    assert "approved provider list" in html  # National Peer: why not
