"""Helpers for the import tests: files built in memory, a pinned clock, a checked job."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from peerportal.imports import services

# A Monday in spring; the organization's zone is America/New_York by default.
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def csv_bytes(header, rows, *, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, file_format: str = "csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"file.{file_format}", data)


def checked_job(actor, kind, data: bytes, file_format="csv", **kwargs):
    """Upload and dry-run a file (the on-commit task is not run: the check is called here)."""
    job = services.import_job_create(
        actor=actor, kind=kind, file_format=file_format, upload=upload(data, file_format), **kwargs
    )
    return services.import_job_check(job=job)


def applied_job(actor, kind, data: bytes, file_format="csv", **kwargs):
    job = checked_job(actor, kind, data, file_format, **kwargs)
    assert job.status == "checked", job.report
    job = services.import_job_confirm(actor=actor, job=job)
    return services.import_job_apply(job=job)


def errors_of(job) -> list[tuple[int, str, str]]:
    return [
        (row["line"], error["column"], error["code"])
        for row in job.report["rows"]
        for error in row["errors"]
    ]


def file_errors_of(job) -> list[str]:
    return [e["code"] for e in job.report.get("file_errors", [])]
