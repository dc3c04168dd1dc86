"""Templates and exports: the same columns out as in (tablib writes CSV and XLSX).

An export imported again is a dry run with nothing to create or update. Text cells that a
spreadsheet would read as a formula are made inert with ``core.spreadsheet.safe_cell``.
"""

from __future__ import annotations

from collections.abc import Iterable

import tablib
from django.http import HttpResponse

from peerportal.accounts.models import User
from peerportal.certification.models import Certification, RecordStatus, TrainingRecord
from peerportal.core.spreadsheet import safe_cell

from .kinds import ELECTIVE, HOURS_PREFIX, _show, columns_for
from .models import ImportKind

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _people_rows() -> Iterable[list]:
    for user in User.objects.filter(is_active=True, erased_at=None).order_by("email"):
        yield [user.email, user.display_name, user.role, user.preferred_language, user.time_zone]


def _credential_rows() -> Iterable[list]:
    certs = (
        Certification.objects.filter(holder__erased_at=None)
        .select_related("holder", "credential_type")
        .order_by("holder__email", "credential_type__code")
    )
    for cert in certs:
        yield [
            cert.holder.email,
            cert.credential_type.code,
            cert.number,
            cert.issued_on,
            cert.expires_on,
        ]


def _training_rows(columns: list[str]) -> Iterable[list]:
    records = (
        TrainingRecord.objects.filter(person__erased_at=None)
        .exclude(status=RecordStatus.REJECTED)
        .select_related("person", "topic")
        .order_by("person__email", "completed_on", "course", "id")
    )
    rows: dict[tuple, dict] = {}
    for record in records.iterator(chunk_size=2000):
        key = (record.person.email, record.completed_on, record.course)
        row = rows.setdefault(
            key,
            {"email": key[0], "date": key[1], "title": key[2], "provider": record.provider},
        )
        column = HOURS_PREFIX + (record.topic.code if record.topic else ELECTIVE)
        row[column] = row.get(column, 0) + record.hours
    for row in rows.values():
        yield [row.get(column, "") for column in columns]


def dataset_for(kind: str, *, empty: bool = False) -> tablib.Dataset:
    columns = columns_for(kind)
    dataset = tablib.Dataset(headers=columns)
    if empty:
        return dataset
    if kind == ImportKind.PEOPLE:
        rows = _people_rows()
    elif kind == ImportKind.CREDENTIALS:
        rows = _credential_rows()
    else:
        rows = _training_rows(columns)
    for row in rows:
        dataset.append([safe_cell(_show(cell)) for cell in row])
    return dataset


def download(dataset: tablib.Dataset, *, file_format: str, filename: str) -> HttpResponse:
    body = dataset.export(file_format)
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
