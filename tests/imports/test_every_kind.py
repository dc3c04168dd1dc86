"""The acceptance list, for each kind of import: a valid file, the file-level refusals,
a formula cell, a dry run that writes nothing and a re-run that changes nothing."""

from __future__ import annotations

import pytest

from peerportal.accounts.models import User
from peerportal.certification.models import Certification, TrainingRecord
from peerportal.imports.reading import FileRefused
from tests.certification.factories import CETopicFactory, CredentialTypeFactory
from tests.factories import StaffFactory

from .conftest import applied_job, checked_job, csv_bytes, errors_of, file_errors_of, xlsx_bytes

pytestmark = pytest.mark.django_db

KINDS = {
    "people": (
        ["email", "display_name", "role", "language", "time_zone"],
        [["nuno@example.test", "Nuño", "member", "es", ""]],
        "display_name",
    ),
    "credentials": (
        ["email", "credential_type", "number", "issued_on", "expires_on"],
        [["peer@example.test", "pa-cps", "Nº-12", "2025-01-15", ""]],
        "number",
    ),
    "training": (
        ["email", "date", "title", "provider", "hours_elective", "hours_ethics"],
        [["peer@example.test", "2026-02-10", "Ética y límites", "Junta", "", "3"]],
        "title",
    ),
}


def _rows_written() -> int:
    return User.objects.count() + Certification.objects.count() + TrainingRecord.objects.count()


@pytest.fixture(autouse=True)
def world(db):
    StaffFactory(email="peer@example.test")
    CredentialTypeFactory(code="pa-cps")
    CETopicFactory(code="ethics")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_valid_file_dry_run_writes_nothing_apply_writes_rerun_changes_nothing(
    coordinator, kind, file_format
):
    header, rows, _column = KINDS[kind]
    data = csv_bytes(header, rows) if file_format == "csv" else xlsx_bytes(header, rows)
    before = _rows_written()
    job = checked_job(coordinator, kind, data, file_format)
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "refused": 0}, job.report
    assert _rows_written() == before
    assert applied_job(coordinator, kind, data, file_format).status == "done"
    assert _rows_written() > before
    after = _rows_written()
    again = checked_job(coordinator, kind, data, file_format)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 1, "refused": 0}
    assert applied_job(coordinator, kind, data, file_format).status == "done"
    assert _rows_written() == after


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_encoding(coordinator, kind):
    header, rows, _column = KINDS[kind]
    job = checked_job(coordinator, kind, csv_bytes(header, rows, encoding="latin-1"))
    assert file_errors_of(job) == ["not_utf8"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_20_mb_file(coordinator, kind):
    header, rows, _column = KINDS[kind]
    with pytest.raises(FileRefused):
        checked_job(coordinator, kind, csv_bytes(header, rows) + b" " * (20 * 1024 * 1024))


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_column(coordinator, kind):
    header, rows, _column = KINDS[kind]
    job = checked_job(coordinator, kind, csv_bytes(header[1:], [r[1:] for r in rows]))
    assert file_errors_of(job) == ["missing_columns"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_cell(coordinator, kind, start):
    header, rows, column = KINDS[kind]
    row = list(rows[0])
    row[header.index(column)] = start + "1+1"
    before = _rows_written()
    job = checked_job(coordinator, kind, csv_bytes(header, [row]))
    assert errors_of(job) == [(2, column, "formula")]
    assert _rows_written() == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_duplicate_row(coordinator, kind):
    header, rows, _column = KINDS[kind]
    job = checked_job(coordinator, kind, csv_bytes(header, rows * 2))
    assert [code for _line, _col, code in errors_of(job)] == ["duplicate_in_file"]


def test_a_csv_saved_with_semicolons_is_read(coordinator):
    data = "email;display_name;role;language;time_zone\r\nnuno@example.test;Nuño, N.;member;es;\r\n"
    job = checked_job(coordinator, "people", data.encode())
    assert job.counts["create"] == 1
    assert job.report["rows"][0]["values"]["display_name"] == "Nuño, N."
