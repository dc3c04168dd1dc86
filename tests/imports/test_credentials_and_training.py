"""Importing credentials held and training records; exports that import back unchanged."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import tablib

from peerportal.certification.models import Certification, Review, TrainingRecord
from peerportal.imports import exporting, services
from peerportal.imports.models import JobStatus
from tests.certification.factories import (
    CETopicFactory,
    CredentialTypeFactory,
    TrainingRecordFactory,
)
from tests.factories import StaffFactory, UserFactory

from .conftest import applied_job, checked_job, csv_bytes, errors_of, file_errors_of, xlsx_bytes

pytestmark = pytest.mark.django_db

CRED_HEADER = ["email", "credential_type", "number", "issued_on", "expires_on"]


@pytest.fixture
def pa_cps(db):
    return CredentialTypeFactory(code="pa-cps", name="Pennsylvania CPS")


@pytest.fixture
def peer(db):
    return StaffFactory(email="peer@example.test")


@pytest.fixture
def topics(db):
    return CETopicFactory(code="ethics"), CETopicFactory(code="peer-support")


def test_credentials_are_imported_and_a_re_run_changes_nothing(coordinator, peer, pa_cps):
    data = csv_bytes(CRED_HEADER, [[peer.email, "PA-CPS", "PA-1234", "2025-01-15", "2027-01-15"]])
    job = applied_job(coordinator, "credentials", data)
    assert job.status == JobStatus.DONE and job.counts["create"] == 1
    cert = Certification.objects.get(holder=peer, credential_type=pa_cps)
    assert (cert.number, str(cert.issued_on), str(cert.expires_on)) == (
        "PA-1234",
        "2025-01-15",
        "2027-01-15",
    )
    again = checked_job(coordinator, "credentials", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 1, "refused": 0}


def test_a_renewal_in_the_file_is_shown_as_an_update_per_column(coordinator, peer, pa_cps):
    applied_job(
        coordinator,
        "credentials",
        csv_bytes(CRED_HEADER, [[peer.email, "pa-cps", "PA-1", "2024-01-15", ""]]),
    )
    job = checked_job(
        coordinator,
        "credentials",
        csv_bytes(CRED_HEADER, [[peer.email, "pa-cps", "", "2026-01-15", ""]]),
    )
    row = job.report["rows"][0]
    assert row["action"] == "update"
    assert row["changes"] == [{"column": "issued_on", "old": "2024-01-15", "new": "2026-01-15"}]
    assert [n["code"] for n in row["notes"]] == ["empty_keeps"]  # an empty number keeps PA-1


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (
            ["peer@example.test", "tx-peer", "", "", ""],
            "credential_type",
            "unknown_credential_type",
        ),
        (["peer@example.test", "pa-cps", "", "15/01/2025", ""], "issued_on", "bad_date"),
        (["peer@example.test", "pa-cps", "", "2025-02-30", ""], "issued_on", "bad_date"),
        (["peer@example.test", "pa-cps", "", "2026-03-03", ""], "issued_on", "date_in_future"),
        (["peer@example.test", "pa-cps", "", "1949-12-31", ""], "issued_on", "date_too_early"),
        (
            ["peer@example.test", "pa-cps", "", "2025-01-15", "2025-01-15"],
            "expires_on",
            "expiry_before_issue",
        ),
        (
            ["peer@example.test", "pa-cps", "", "2025-01-15", "2070-01-01"],
            "expires_on",
            "date_too_late",
        ),
        (
            ["peer@example.test", "pa-cps", "", "", "2027-01-01"],
            "expires_on",
            "expiry_without_issue",
        ),
        (["nobody@example.test", "pa-cps", "", "", ""], "email", "unknown_person"),
        (["member@example.test", "pa-cps", "", "", ""], "email", "not_staff"),
        (["peer@example.test", "pa-cps", "=cmd|' /C calc'!A0", "", ""], "number", "formula"),
        (["peer@example.test", "pa-cps", "TAKEN-1", "2025-01-15", ""], "number", "number_taken"),
        (["peer@example.test", "pa-cps", "PA-7", "", ""], "number", "number_without_issue"),
    ],
)
def test_each_bad_credential_row_is_refused_with_its_column(
    coordinator, peer, pa_cps, row, column, code
):
    UserFactory(email="member@example.test")
    other = StaffFactory()
    Certification.objects.create(holder=other, credential_type=pa_cps, number="TAKEN-1")
    job = checked_job(coordinator, "credentials", csv_bytes(CRED_HEADER, [row]))
    assert (2, column, code) in errors_of(job)
    assert job.status == JobStatus.FAILED
    assert not Certification.objects.filter(holder=peer).exists()


def test_duplicate_credential_rows_and_own_credentials_are_refused(coordinator, peer, pa_cps):
    rows = [
        [peer.email, "pa-cps", "", "", ""],
        [peer.email, "PA-CPS", "", "", ""],
        [coordinator.email, "pa-cps", "", "", ""],
    ]
    job = checked_job(coordinator, "credentials", csv_bytes(CRED_HEADER, rows))
    assert errors_of(job) == [
        (3, "credential_type", "duplicate_in_file"),
        (4, "email", "own_record"),
    ]


def test_missing_column_for_credentials(coordinator, pa_cps):
    job = checked_job(
        coordinator, "credentials", csv_bytes(["email", "number"], [["a@example.test", "1"]])
    )
    assert file_errors_of(job) == ["missing_columns"]
    assert job.report["file_errors"][0]["params"] == {"columns": "credential_type"}


def test_a_row_that_became_invalid_after_the_dry_run_fails_the_whole_import(
    coordinator, peer, pa_cps
):
    second = StaffFactory(email="second@example.test")
    rows = [
        [peer.email, "pa-cps", "", "2025-01-15", ""],
        [second.email, "pa-cps", "", "2025-01-15", ""],
    ]
    job = services.import_job_confirm(
        actor=coordinator, job=checked_job(coordinator, "credentials", csv_bytes(CRED_HEADER, rows))
    )
    second.role = "member"
    second.save()
    job = services.import_job_apply(job=job)
    assert job.status == JobStatus.FAILED
    assert errors_of(job) == [(3, "email", "not_staff")]
    assert not Certification.objects.exists()


TRAIN_HEADER = [
    "email",
    "date",
    "title",
    "provider",
    "hours_elective",
    "hours_ethics",
    "hours_peer-support",
]


def test_training_with_hours_by_topic_makes_one_approved_record_per_topic(
    coordinator, peer, topics
):
    data = csv_bytes(
        TRAIN_HEADER, [[peer.email, "2026-02-10", "Boundaries", "Invented Board", "1", "3", ""]]
    )
    job = applied_job(coordinator, "training", data)
    assert job.status == JobStatus.DONE
    records = TrainingRecord.objects.filter(person=peer).order_by("hours")
    assert [(r.topic.code if r.topic else None, r.hours, r.status) for r in records] == [
        (None, Decimal("1"), "approved"),
        ("ethics", Decimal("3"), "approved"),
    ]
    assert Review.objects.filter(record__person=peer, reviewer=coordinator).count() == 2
    again = checked_job(coordinator, "training", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 1, "refused": 0}
    changed = checked_job(
        coordinator,
        "training",
        csv_bytes(
            TRAIN_HEADER,
            [[peer.email, "2026-02-10", "Boundaries", "Invented Board", "1", "3.5", "2"]],
        ),
    )
    assert changed.report["rows"][0]["changes"] == [
        {"column": "hours_ethics", "old": "3", "new": "3.5"},
        {"column": "hours_peer-support", "old": "", "new": "2"},
    ]


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (["peer@example.test", "2026-03-03", "T", "P", "1", "", ""], "date", "date_in_future"),
        (["peer@example.test", "yesterday", "T", "P", "1", "", ""], "date", "bad_date"),
        (["peer@example.test", "", "T", "P", "1", "", ""], "date", "required"),
        (["peer@example.test", "2026-01-01", "", "P", "1", "", ""], "title", "required"),
        (["peer@example.test", "2026-01-01", "T", "x" * 151, "1", "", ""], "provider", "too_long"),
        (
            ["peer@example.test", "2026-01-01", "T", "P", "lots", "", ""],
            "hours_elective",
            "bad_hours",
        ),
        (
            ["peer@example.test", "2026-01-01", "T", "P", "101", "", ""],
            "hours_elective",
            "hours_range",
        ),
        (
            ["peer@example.test", "2026-01-01", "T", "P", "1.255", "", ""],
            "hours_elective",
            "hours_range",
        ),
        (["peer@example.test", "2026-01-01", "T", "P", "-1", "", ""], "hours_elective", "formula"),
        (["peer@example.test", "2026-01-01", "T", "P", "", "", ""], "hours_elective", "no_hours"),
        (["peer@example.test", "2026-01-01", "@T", "P", "1", "", ""], "title", "formula"),
    ],
)
def test_each_bad_training_row_is_refused_with_its_column(
    coordinator, peer, topics, row, column, code
):
    job = checked_job(coordinator, "training", csv_bytes(TRAIN_HEADER, [row]))
    assert (2, column, code) in errors_of(job)
    assert not TrainingRecord.objects.exists()


def test_training_for_an_unknown_topic_column_refuses_the_file(coordinator, topics):
    job = checked_job(
        coordinator,
        "training",
        csv_bytes(
            ["email", "date", "title", "provider", "hours_astrology"],
            [["a@example.test", "2026-01-01", "T", "P", "1"]],
        ),
    )
    assert file_errors_of(job) == ["unknown_columns"]


def test_duplicate_training_rows_are_refused(coordinator, peer, topics):
    row = [peer.email, "2026-02-10", "Boundaries", "P", "1", "", ""]
    job = checked_job(coordinator, "training", csv_bytes(TRAIN_HEADER, [row, row]))
    assert errors_of(job) == [(3, "title", "duplicate_in_file")]


def test_xlsx_dates_and_numbers_are_read_as_dates_and_hours(coordinator, peer, topics):
    import datetime as dt

    data = xlsx_bytes(
        TRAIN_HEADER, [[peer.email, dt.datetime(2026, 2, 10), "Boundaries", "P", 1.5, None, 2]]
    )
    job = checked_job(coordinator, "training", data, "xlsx")
    assert job.status == JobStatus.CHECKED, job.report
    assert job.report["rows"][0]["values"]["date"] == "2026-02-10"
    assert job.report["rows"][0]["values"]["hours_elective"] == "1.5"


# --- exports mirror imports -------------------------------------------------------------


def _export(kind: str, file_format: str) -> bytes:
    body = exporting.dataset_for(kind).export(file_format)
    return body.encode() if isinstance(body, str) else body


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_export_imports_back_with_nothing_to_create_or_update(
    coordinator, peer, pa_cps, topics, file_format
):
    ethics, _peer_support = topics
    applied_job(
        coordinator,
        "credentials",
        csv_bytes(CRED_HEADER, [[peer.email, "pa-cps", "PA-9", "2025-01-15", "2027-01-15"]]),
    )
    other = StaffFactory(email="other@example.test", display_name="=Not a formula")
    # In training, with a number recorded by hand: exported and imported back unchanged.
    Certification.objects.create(holder=other, credential_type=pa_cps, number="T-1")
    TrainingRecordFactory(
        person=peer,
        course="Ethics day",
        completed_on="2026-01-05",
        hours=Decimal("2.5"),
        topic=ethics,
    )
    TrainingRecordFactory(
        person=peer, course="Ethics day", completed_on="2026-01-05", hours=Decimal("1")
    )
    TrainingRecordFactory(
        person=other,
        course="Intro",
        completed_on="2025-11-05",
        hours=Decimal("6"),
        provider="Invented",
    )
    for kind in ("people", "credentials", "training"):
        job = checked_job(coordinator, kind, _export(kind, file_format), file_format)
        counts = job.counts
        assert (counts["create"], counts["update"]) == (0, 0), (kind, job.report)
        if kind != "people":
            assert counts["refused"] == 0, job.report


def test_exported_text_that_looks_like_a_formula_is_made_inert(coordinator):
    StaffFactory(email="f@example.test", display_name="=2+3")
    body = exporting.dataset_for("people").export("csv")
    assert "'=2+3" in body
    assert "\n=2+3" not in body and ",=2+3" not in body


def test_templates_have_the_import_columns_and_no_rows(topics):
    dataset = tablib.Dataset().load(
        exporting.dataset_for("training", empty=True).export("csv"), format="csv"
    )
    assert dataset.headers == [
        "email",
        "date",
        "title",
        "provider",
        "hours_elective",
        "hours_ethics",
        "hours_peer-support",
    ]
    assert dataset.height == 0
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exporting.dataset_for("people", empty=True).export("xlsx")))
    assert [c.value for c in book.active[1]] == [
        "email",
        "display_name",
        "role",
        "language",
        "time_zone",
    ]
