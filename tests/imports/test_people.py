"""Importing people: dry run, apply, idempotence, invitations, and every refused row."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from peerportal.accounts.models import User
from peerportal.core.models import AuditEvent
from peerportal.imports import services
from peerportal.imports.models import JobStatus
from peerportal.reminders.models import Reminder
from tests.factories import UserFactory

from .conftest import applied_job, checked_job, csv_bytes, errors_of, file_errors_of, xlsx_bytes
from .conftest import upload as _upload

HEADER = ["email", "display_name", "role", "language", "time_zone"]
ROWS = [
    ["river@example.test", "River", "member", "es", "America/Chicago"],
    ["sky@example.test", "Sky", "peer_specialist", "", ""],
]

pytestmark = pytest.mark.django_db


def test_a_valid_file_is_previewed_and_nothing_is_written(coordinator):
    before_users, before_audit = User.objects.count(), AuditEvent.objects.count()
    job = checked_job(coordinator, "people", csv_bytes(HEADER, ROWS))
    assert job.status == JobStatus.CHECKED
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "refused": 0}
    assert [r["action"] for r in job.report["rows"]] == ["create", "create"]
    assert User.objects.count() == before_users
    # Only the upload itself is audited.
    assert AuditEvent.objects.count() == before_audit + 1


def test_confirmed_import_creates_people_without_a_usable_password_and_emails_nobody(coordinator):
    mail.outbox = []
    job = applied_job(coordinator, "people", csv_bytes(HEADER, ROWS))
    assert job.status == JobStatus.DONE
    river = User.objects.get(email="river@example.test")
    assert (river.display_name, river.role, river.preferred_language, river.time_zone) == (
        "River",
        "member",
        "es",
        "America/Chicago",
    )
    assert not river.has_usable_password()
    assert EmailAddress.objects.get(user=river).verified is False
    sky = User.objects.get(email="sky@example.test")
    assert sky.role == "peer_specialist" and sky.preferred_language == "en"
    assert mail.outbox == []
    assert not Reminder.objects.filter(kind=services.KIND_INVITATION).exists()
    audit = AuditEvent.objects.get(action="import.apply")
    assert audit.extra == {"kind": "people", "created": 2, "updated": 0, "invitations": False}
    assert "river" not in str(audit.extra)
    assert AuditEvent.objects.filter(action="user.create_invited").count() == 2
    assert not job.file  # the upload is deleted once applied


def test_re_running_the_same_file_changes_nothing(coordinator):
    data = csv_bytes(HEADER, ROWS)
    applied_job(coordinator, "people", data)
    again = checked_job(coordinator, "people", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "refused": 0}


def test_send_invitations_queues_one_invitation_each_with_a_password_link(coordinator, client):
    applied_job(coordinator, "people", csv_bytes(HEADER, ROWS), send_invitations=True)
    invitations = Reminder.objects.filter(kind=services.KIND_INVITATION)
    assert invitations.count() == 2
    river = User.objects.get(email="river@example.test")
    reminder = invitations.get(recipient=river)
    from peerportal.imports.notifications import invitation_context

    path = invitation_context(reminder)["path"]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert b"password1" in response.content  # allauth's "choose a password" form


def test_an_existing_person_gets_the_new_role_but_keeps_their_own_name(coordinator):
    person = UserFactory(email="Leaf@Example.test", display_name="Leafy", role="member")
    job = checked_job(
        coordinator,
        "people",
        csv_bytes(HEADER, [["leaf@example.test", "Real Name", "supervisor", "en", ""]]),
    )
    row = job.report["rows"][0]
    assert row["action"] == "update"
    assert row["changes"] == [{"column": "role", "old": "member", "new": "supervisor"}]
    assert [n["column"] for n in row["notes"]] == ["display_name"]
    services.import_job_apply(job=services.import_job_confirm(actor=coordinator, job=job))
    person.refresh_from_db()
    assert (person.role, person.display_name) == ("supervisor", "Leafy")


def test_a_coordinator_cannot_change_their_own_role(coordinator):
    job = checked_job(
        coordinator, "people", csv_bytes(HEADER, [[coordinator.email, "Me", "member", "en", ""]])
    )
    assert errors_of(job) == [(2, "role", "own_role")]
    assert job.status == JobStatus.FAILED


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (["not-an-email", "A", "member", "", ""], "email", "bad_email"),
        (["", "A", "member", "", ""], "email", "required"),
        (["a@example.test", "", "member", "", ""], "display_name", "required"),
        (["a@example.test", "x" * 81, "member", "", ""], "display_name", "too_long"),
        (["a@example.test", "A", "boss", "", ""], "role", "bad_role"),
        (["a@example.test", "A", "member", "fr", ""], "language", "bad_language"),
        (["a@example.test", "A", "member", "", "Mars/Base"], "time_zone", "bad_time_zone"),
        (['=HYPERLINK("x")', "A", "member", "", ""], "email", "formula"),
        (["a@example.test", "+1 bad", "member", "", ""], "display_name", "formula"),
        (["a@example.test", "-A", "member", "", ""], "display_name", "formula"),
        (["a@example.test", "@SUM(1)", "member", "", ""], "display_name", "formula"),
        (["a@example.test", "\tA", "member", "", ""], "display_name", "formula"),
        (["a@example.test", "\rA", "member", "", ""], "display_name", "formula"),
    ],
)
def test_each_bad_cell_is_refused_with_its_column_and_nothing_is_written(
    coordinator, row, column, code
):
    before = User.objects.count()
    job = checked_job(coordinator, "people", csv_bytes(HEADER, [ROWS[0], row]))
    assert (3, column, code) in errors_of(job)
    assert job.status == JobStatus.FAILED
    assert job.counts["refused"] == 1 and job.counts["create"] == 1
    with pytest.raises(services.ImportRefused):
        services.import_job_confirm(actor=coordinator, job=job)
    assert User.objects.count() == before


def test_duplicate_emails_in_the_file_are_refused_naming_the_first_line(coordinator):
    job = checked_job(
        coordinator,
        "people",
        csv_bytes(HEADER, [ROWS[0], ["RIVER@example.test", "Again", "member", "", ""]]),
    )
    assert errors_of(job) == [(3, "email", "duplicate_in_file")]
    assert job.report["rows"][1]["errors"][0]["params"] == {"what": "email", "line": 2}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (["email", "display_name", "language"], "missing_columns"),
        ([*HEADER, "password"], "unknown_columns"),
        (["email", "email", "display_name", "role"], "duplicate_columns"),
    ],
)
def test_a_bad_header_refuses_the_whole_file(coordinator, header, code):
    job = checked_job(coordinator, "people", csv_bytes(header, [["a@example.test"] * len(header)]))
    assert code in file_errors_of(job)
    assert job.status == JobStatus.FAILED


def test_wrong_encoding_gets_a_clear_message(coordinator):
    data = csv_bytes(
        HEADER, [["ana@example.test", "Ana Núñez", "member", "", ""]], encoding="latin-1"
    )
    job = checked_job(coordinator, "people", data)
    assert file_errors_of(job) == ["not_utf8"]


def test_utf8_with_a_byte_order_mark_is_accepted(coordinator):
    data = "\ufeff".encode() + csv_bytes(
        HEADER, [["ana@example.test", "Ana Núñez", "member", "", ""]]
    )
    job = checked_job(coordinator, "people", data)
    assert job.status == JobStatus.CHECKED
    assert job.report["rows"][0]["values"]["display_name"] == "Ana Núñez"


def test_a_20_mb_file_is_refused_before_it_is_read(coordinator):
    from peerportal.imports.reading import FileRefused

    data = csv_bytes(HEADER, ROWS) + b"x" * (20 * 1024 * 1024)
    with pytest.raises(FileRefused) as refused:
        checked_job(coordinator, "people", data)
    assert refused.value.code == "too_big"


def test_more_than_10000_rows_are_refused(coordinator):
    rows = [[f"p{i}@example.test", f"P{i}", "member", "", ""] for i in range(10_001)]
    job = checked_job(coordinator, "people", csv_bytes(HEADER, rows))
    assert file_errors_of(job) == ["too_many_rows"]


def test_an_empty_file_is_refused(coordinator):
    job = checked_job(coordinator, "people", csv_bytes(HEADER, []))
    assert file_errors_of(job) == ["empty"]


def test_xlsx_is_read_like_csv_and_a_real_formula_cell_is_refused(coordinator):
    good = checked_job(coordinator, "people", xlsx_bytes(HEADER, ROWS), "xlsx")
    assert good.counts["create"] == 2
    bad = checked_job(
        coordinator,
        "people",
        xlsx_bytes(HEADER, [["a@example.test", "=1+1", "member", None, None]]),
        "xlsx",
    )
    assert errors_of(bad) == [(2, "display_name", "formula")]


def test_a_file_that_is_not_a_workbook_is_refused(coordinator):
    job = checked_job(coordinator, "people", b"PK\x03\x04 not really a zip", "xlsx")
    assert file_errors_of(job) == ["bad_xlsx"]


def test_apply_is_all_or_nothing(coordinator, monkeypatch):
    job = services.import_job_confirm(
        actor=coordinator, job=checked_job(coordinator, "people", csv_bytes(HEADER, ROWS))
    )
    calls = []

    def fail_at_the_end(**kwargs):
        calls.append(kwargs["action"])
        raise RuntimeError("disk full")

    # The people are written, then the job's own audit event fails: everything rolls back.
    monkeypatch.setattr(services, "audit_record", fail_at_the_end)
    job = services.import_job_apply(job=job)
    assert job.status == JobStatus.FAILED
    assert file_errors_of(job) == ["apply_failed"]
    assert not User.objects.filter(email__in=["river@example.test", "sky@example.test"]).exists()
    assert calls == ["import.apply"]
    assert not AuditEvent.objects.filter(action="import.apply").exists()
    assert not AuditEvent.objects.filter(action="user.create_invited").exists()


def test_a_confirmed_job_is_applied_once(coordinator):
    job = services.import_job_confirm(
        actor=coordinator, job=checked_job(coordinator, "people", csv_bytes(HEADER, ROWS))
    )
    services.import_job_apply(job=job)
    services.import_job_apply(job=job)  # a re-delivered task
    assert AuditEvent.objects.filter(action="import.apply").count() == 1
    with pytest.raises(services.ImportRefused):
        services.import_job_confirm(actor=coordinator, job=job)


def test_tidy_requeues_stuck_jobs_and_deletes_unconfirmed_files(coordinator, pinned_clock):
    import datetime as dt

    queued = []
    stuck = services.import_job_create(
        actor=coordinator, kind="people", file_format="csv", upload=_upload(csv_bytes(HEADER, ROWS))
    )  # its check task never ran (the on-commit callback is not run here)
    unconfirmed = checked_job(coordinator, "people", csv_bytes(HEADER, ROWS))
    storage, name = unconfirmed.file.storage, unconfirmed.file.name
    assert storage.exists(name)
    pinned_clock.shift(dt.timedelta(days=3))
    original = services._enqueue
    services._enqueue = lambda task, job_id: queued.append((task.name, job_id))
    try:
        assert services.import_jobs_tidy() == {"resumed": 1, "expired": 1}
    finally:
        services._enqueue = original
    assert queued == [("imports.check", stuck.pk)]
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == JobStatus.FAILED and not unconfirmed.file
    assert not storage.exists(name)


def test_invitations_on_a_re_run_reach_people_who_never_chose_a_password(coordinator):
    applied_job(coordinator, "people", csv_bytes(HEADER, ROWS))  # no invitations
    sky = User.objects.get(email="sky@example.test")
    sky.set_password("chosen-already-123")
    sky.save()
    job = applied_job(coordinator, "people", csv_bytes(HEADER, ROWS), send_invitations=True)
    assert job.counts["unchanged"] == 2
    invited = Reminder.objects.filter(kind=services.KIND_INVITATION)
    assert list(invited.values_list("recipient__email", flat=True)) == ["river@example.test"]
