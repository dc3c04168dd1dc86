from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerportal.certification import services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.exceptions import EvidenceRejected, NotYourTeam, SelfReview
from peerportal.certification.models import Review, TrainingRecord
from peerportal.certification.qualification import is_qualified, why_not_qualified
from peerportal.core.models import AuditEvent
from peerportal.reminders.models import Reminder
from tests.certification.factories import grant_credential
from tests.factories import org_localdate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%invented\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


def submit(person, **extra):
    fields = {
        "course": "Boundaries",
        "provider": "Invented",
        "completed_on": org_localdate(),
        "hours": Decimal(3),
    }
    fields.update(extra)
    return services.training_record_submit(person=person, **fields)


def test_supervisor_approves_and_the_staff_member_is_told(staff, supervisor):
    record = submit(staff)
    services.training_record_review(
        reviewer=supervisor, record=record, decision="approved", comment="Thanks"
    )
    record.refresh_from_db()
    assert record.status == "approved"
    assert Reminder.objects.filter(kind="training_reviewed", recipient=staff).exists()
    assert AuditEvent.objects.filter(
        action="training_record.approved", object_id=str(record.pk), actor_id=supervisor.pk
    ).exists()


def test_reviews_cannot_be_edited(staff, supervisor):
    review = services.training_record_review(
        reviewer=supervisor, record=submit(staff), decision="rejected", comment="Wrong course"
    )
    review.comment = "changed"
    with pytest.raises(PermissionError):
        review.save()
    with pytest.raises(PermissionError):
        review.delete()
    assert Review.objects.get().comment == "Wrong course"


def test_nobody_approves_their_own_record(supervisor, coordinator):
    with pytest.raises(SelfReview):
        services.training_record_review(
            reviewer=supervisor, record=submit(supervisor), decision="approved"
        )
    with pytest.raises(SelfReview):
        services.training_record_review(
            reviewer=coordinator, record=submit(coordinator), decision="approved"
        )


def test_self_approval_through_the_page_is_403(supervisor_client, supervisor):
    record = submit(supervisor)
    response = supervisor_client.post(
        reverse("certification:record-review", args=[record.pk]), {"decision": "approved"}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == "submitted"


def test_staff_cannot_reach_the_review_page(staff_client, other_staff):
    record = submit(other_staff)
    assert (
        staff_client.post(
            reverse("certification:record-review", args=[record.pk]), {"decision": "approved"}
        ).status_code
        == 403
    )


def test_supervisors_see_only_their_team(supervisor, supervisor_client, staff, other_staff):
    mine, theirs = submit(staff), submit(other_staff)
    queue = supervisor_client.get(reverse("certification:review-queue"))
    ids = [r.pk for r in queue.context["page"]]
    assert ids == [mine.pk]
    assert (
        supervisor_client.get(reverse("certification:record-review", args=[theirs.pk])).status_code
        == 404
    )
    with pytest.raises(NotYourTeam):
        services.training_record_review(reviewer=supervisor, record=theirs, decision="approved")
    assert (
        supervisor_client.get(
            reverse("certification:transcript", args=[other_staff.pk])
        ).status_code
        == 404
    )


def test_rejecting_needs_a_comment(supervisor_client, staff):
    record = submit(staff)
    response = supervisor_client.post(
        reverse("certification:record-review", args=[record.pk]), {"decision": "rejected"}
    )
    assert response.status_code == 200 and "comment" in response.context["form"].errors


def test_evidence_is_served_to_owner_supervisor_and_coordinator_only(
    staff, staff_client, supervisor_client, coordinator_client, other_staff_client, member_client
):
    record = submit(
        staff, evidence=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    )
    url = reverse("certification:evidence-download", args=[record.pk])
    for client in (staff_client, supervisor_client, coordinator_client):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF
    assert other_staff_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="evidence.read", object_id=str(record.pk)).count() == 3


def test_evidence_is_stored_under_a_random_name_privately(staff, settings):
    record = submit(
        staff, evidence=SimpleUploadedFile("my name.png", PNG, content_type="image/png")
    )
    assert "my name" not in record.evidence.name
    assert str(settings.PRIVATE_MEDIA_ROOT) in record.evidence.path
    assert record.evidence_name == "my name.png"


def test_a_path_in_the_upload_name_never_reaches_the_file_system(staff, settings):
    record = submit(
        staff,
        evidence=SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="application/pdf"),
    )
    assert record.evidence.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert ".." not in record.evidence.name and "/" not in record.evidence_name


@pytest.mark.parametrize(
    ("name", "content", "ctype", "message"),
    [
        ("notes.docx", b"PK\x03\x04", "application/msword", "Only PDF, JPEG or PNG"),
        ("fake.pdf", b"<html>not a pdf</html>", "application/pdf", "not a real PDF"),
        ("..\\evil.pdf", PDF, "application/pdf", "path"),
        (".hidden.pdf", PDF, "application/pdf", "path"),
        ("photo.png", PDF, "application/pdf", "not a real PNG"),
    ],
)
def test_evidence_upload_rejects_wrong_types_and_path_tricks(staff, name, content, ctype, message):
    with pytest.raises(EvidenceRejected) as exc:
        submit(staff, evidence=SimpleUploadedFile(name, content, content_type=ctype))
    assert message in str(exc.value)
    assert not TrainingRecord.objects.exists()


def test_evidence_upload_rejects_oversize_files(staff_client, staff):
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    response = staff_client.post(
        reverse("certification:record-create"),
        {
            "course": "C",
            "provider": "P",
            "completed_on": "2026-11-01",
            "hours": "2",
            "evidence": big,
        },
    )
    assert response.status_code == 200
    assert "larger than 10 MB" in str(response.context["form"].errors["evidence"])
    assert not TrainingRecord.objects.exists()


def test_record_form_keeps_input_and_saves_a_good_record(staff_client, staff):
    response = staff_client.post(
        reverse("certification:record-create"),
        {
            "course": "Warm-line basics",
            "provider": "Harbor",
            "completed_on": "2026-11-01",
            "hours": "8",
            "is_initial_training": "on",
            "evidence": SimpleUploadedFile(
                "cert.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get(person=staff).is_initial_training


def test_qualification_follows_issue_and_expiry(staff):
    at = timezone.now()
    assert not is_qualified(person=staff, code="warmline-training", at=at)
    assert "Needs" in why_not_qualified(person=staff, code="warmline-training", at=at)
    grant_credential(staff, "warmline-training")
    assert is_qualified(person=staff, code="warmline-training", at=at)


def test_expiry_reminders_go_to_the_holder_and_supervisor(staff, supervisor, coordinator):
    types = seed_credential_types()
    services.certification_issue(
        actor=coordinator,
        holder=staff,
        credential_type=types["state-cps"],
        issued_on=org_localdate() - dt.timedelta(days=100),
    )
    recipients = set(
        Reminder.objects.filter(kind="credential_expiring").values_list("recipient_id", flat=True)
    )
    assert recipients == {staff.pk, supervisor.pk}
    assert Reminder.objects.filter(kind="credential_expiring", recipient=staff).count() == 4


def test_weekly_digest_is_once_per_week(staff, supervisor):
    submit(staff)
    now = timezone.now()
    assert services.review_digest_send(now=now) >= 1
    services.review_digest_send(now=now)
    assert Reminder.objects.filter(kind="review_digest", recipient=supervisor).count() == 1


def test_pages_per_persona(
    staff_client, supervisor_client, coordinator_client, member_client, staff
):
    assert staff_client.get(reverse("certification:progress")).status_code == 200
    assert supervisor_client.get(reverse("certification:team")).status_code == 200
    assert coordinator_client.get(reverse("certification:certification-issue")).status_code == 200
    assert staff_client.get(reverse("certification:transcript", args=[staff.pk])).status_code == 200
    assert (
        staff_client.get(reverse("certification:transcript-csv", args=[staff.pk])).status_code
        == 200
    )
    assert member_client.get(reverse("certification:progress")).status_code == 403


def test_supervision_notes_are_for_the_pair_only(
    staff, supervisor, coordinator_client, staff_client
):
    services.supervision_log(
        supervisor=supervisor,
        staff=staff,
        date=org_localdate(),
        hours=Decimal(1),
        notes="Talked about self-care plans",
    )
    assert (
        "self-care plans"
        in staff_client.get(reverse("certification:transcript", args=[staff.pk])).content.decode()
    )
    assert (
        "self-care plans"
        not in coordinator_client.get(
            reverse("certification:transcript", args=[staff.pk])
        ).content.decode()
    )
