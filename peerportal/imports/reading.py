"""From an uploaded file to rows of text: size, encoding and shape checked before anything else.

CSV goes through tablib (UTF-8, a byte-order mark accepted). XLSX is opened with openpyxl in
read-only mode *without* evaluating formulas, so a formula cell arrives as its ``=…`` text
and is refused like a formula-looking text cell, and rows are fed into a tablib Dataset as
they stream (stopping past the row limit), so a small zip that unpacks into a huge sheet
never sits in memory whole.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import tablib

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60


class FileRefused(Exception):
    def __init__(self, code: str, params: dict | None = None):
        super().__init__(code)
        self.code, self.params = code, params or {}


def _cell_text(value) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def read_rows(data: bytes, file_format: str) -> tablib.Dataset:
    """The file as a Dataset of text cells with stripped, lower-case headers, or FileRefused.

    Wholly empty rows are dropped; each row's number in the spreadsheet (the header is row
    1) is kept in ``dataset.row_numbers`` for the messages.
    """
    if len(data) > MAX_BYTES:
        raise FileRefused("too_big", {"limit": MAX_BYTES // (1024 * 1024)})
    if file_format == "csv":
        dataset = _read_csv(data)
    elif file_format == "xlsx":
        dataset = _read_xlsx(data)
    else:
        raise FileRefused("bad_format")
    if dataset.height == 0:
        raise FileRefused("empty")
    if dataset.height > MAX_ROWS:
        raise FileRefused("too_many_rows", {"limit": MAX_ROWS})
    return dataset


def _read_csv(data: bytes) -> tablib.Dataset:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("not_utf8") from None
    if "\x00" in text:
        raise FileRefused("bad_csv")
    # Spreadsheet programs in many locales (Spanish among them) save "CSV" with semicolons.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    dataset = tablib.Dataset()
    try:
        dataset.load(text, format="csv", delimiter=delimiter)
    except Exception:  # noqa: BLE001 — csv.Error or a ragged file: one clear message
        raise FileRefused("bad_csv") from None
    # Rows that are wholly empty (a trailing ",,,,") are not rows.
    _strip(dataset)
    return dataset


def _strip(dataset: tablib.Dataset) -> None:
    headers = [(h or "").strip().lower() for h in (dataset.headers or [])]
    if len(headers) > MAX_COLUMNS:
        raise FileRefused("bad_format")
    numbers = getattr(dataset, "row_numbers", None) or list(range(2, dataset.height + 2))
    kept = [
        (number, [(c if isinstance(c, str) else _cell_text(c)) for c in row])
        for number, row in zip(numbers, dataset, strict=True)
        if any(_cell_text(c).strip() for c in row)
    ]
    dataset.wipe()
    dataset.headers = headers
    for _number, row in kept:
        dataset.append((list(row) + [""] * len(headers))[: len(headers)])
    dataset.row_numbers = [number for number, _row in kept]


def _read_xlsx(data: bytes) -> tablib.Dataset:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — not a zip, not a workbook, encrypted: one message
        raise FileRefused("bad_xlsx") from None
    try:
        sheet = book.active
        dataset = tablib.Dataset()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = next(rows, None)
        if header is None:
            raise FileRefused("empty")
        while header and header[-1] is None:
            header = header[:-1]
        width = len(header)
        dataset.headers = [_cell_text(h) for h in header]
        dataset.row_numbers = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(c) for c in row[:width]]
            if not any(c.strip() for c in cells):
                continue
            if dataset.height >= MAX_ROWS:
                raise FileRefused("too_many_rows", {"limit": MAX_ROWS})
            dataset.append(cells + [""] * (width - len(cells)))
            dataset.row_numbers.append(number)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001
        raise FileRefused("bad_xlsx") from None
    finally:
        book.close()
    _strip(dataset)
    return dataset
