"""CSV downloads that are safe to open in a spreadsheet.

Every report and transcript download goes through ``csv_response``: a text cell that starts
like a formula (= + - @, or a tab or carriage return that some programs strip first) gets a
leading apostrophe, so a group, event, topic or course name typed into the portal can never
run as a formula on a coordinator's computer (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with text that a spreadsheet would read as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """An attachment ``filename`` with the header row and rows, every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
